// `npm run check` after format and lint: type-checks every entry point of
// deno.json (and the example services, which Deno runs as they are) with
// `deno check`, the same files Deno users import.
import { spawnSync } from "node:child_process";
import process from "node:process";
import { entryPoints, ROOT } from "./entry_points.ts";

const EXAMPLES = [
  "examples/ecommerce/orders.ts",
  "examples/ecommerce/inventory.ts",
  "examples/ecommerce/users.ts",
];

const entries = [...entryPoints().values()];
const deno = `${ROOT}node_modules/.bin/deno`;
const checked = spawnSync(deno, ["check", ...entries, ...EXAMPLES], {
  cwd: ROOT,
  stdio: "inherit",
});
process.exit(checked.status ?? 1);
