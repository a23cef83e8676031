// A projection whose handler fails on one message, which the rebuild parks:
// `ordo rebuild` must say so and exit 1.
import type { RebuildableProjection } from "../../cli/mod.ts";

/** Rebuilt by the command line in tests/cli/cli_consumers.test.ts; the order of total 30 fails. */
export const projection: RebuildableProjection = {
  group: "rebuilt-parking",
  source: { category: "order", types: ["OrderPlaced"] },
  handler: (message) => {
    if ((message.data as { total: number }).total === 30) throw new TypeError("total 30 is cursed");
  },
};
