import { createMemoryStore, OrdoError, ValidationError } from "../../mod.ts";

const store = createMemoryStore();

// Bad input is refused before anything is written, with the field and the value named.
const noCategory = await store.append("order1", [{ type: "OrderPlaced", data: {} }]).catch((e) =>
  e
);
console.log(noCategory instanceof ValidationError); // true
console.log(noCategory.message);

const notJson = await store.append("order-1", [
  { type: "OrderPlaced", data: { total: 10n } },
]).catch((e) => e);
console.log(notJson.message); // Invalid messages[0].data.total 10n: a bigint is not a JSON value
console.log((await store.readStream("order-1")).length); // 0

// Every error of ordo is an OrdoError with a literal `_tag`, for `switch` or Effect's `catchTag`.
if (notJson instanceof OrdoError) console.log(notJson._tag); // ValidationError
