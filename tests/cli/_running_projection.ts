// A projection whose group has a running consumer in the test: `ordo
// rebuild` must refuse it.
import type { RebuildableProjection } from "../../cli/mod.ts";

/** The group "totals" the test keeps running. */
export const projection: RebuildableProjection = {
  group: "totals",
  source: { category: "order" },
  handler: () => {},
};
