// A projection whose handler takes a while, and which says when it first
// ran: tests/cli/rebuild_stop.test.ts presses Ctrl-C in the middle of a page.
import type { RebuildableProjection } from "../../cli/mod.ts";

let started!: () => void;
/** Resolves when the handler has been called once. */
export const firstHandled: Promise<void> = new Promise((resolve) => (started = resolve));

/** Rebuilt by tests/cli/rebuild_stop.test.ts: 20 ms a message. */
export const projection: RebuildableProjection = {
  group: "paced",
  source: { category: "order" },
  handler: async () => {
    started();
    await new Promise((resolve) => setTimeout(resolve, 20));
  },
};
