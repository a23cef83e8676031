import fc from "fast-check";
import { AssertionError, checkProjection } from "../../testing/mod.ts";

type Placed = { type: "OrderPlaced"; data: { total: number } };

// A naive projection: it adds every delivery, so a redelivered message counts twice.
const revenue = {
  init: () => ({ total: 0 }),
  apply: (model: { total: number }, message: { data: Placed["data"] }) => {
    model.total += message.data.total;
  },
};
const events = fc.array(
  fc.record({
    streamName: fc.constantFrom("order-1", "order-2"),
    type: fc.constant<"OrderPlaced">("OrderPlaced"),
    data: fc.record({ total: fc.integer({ min: 1, max: 100 }) }),
  }),
  { maxLength: 10 },
);

try {
  // A fixed seed makes fast-check draw the same histories each run, so this prints the same failure.
  await checkProjection<{ total: number }, Placed>(fc, {
    projection: revenue,
    events,
    parameters: { seed: 42 },
  });
} catch (error) {
  if (!(error instanceof AssertionError)) throw error;
  const [headline, ...details] = error.message.split("\n");
  console.log(headline); // checkProjection: the read model after duplicated deliveries differs from one clean pass
  // Then the first difference, what to change, the shortest history, and how to replay it.
  console.log(details.join("\n"));
}
