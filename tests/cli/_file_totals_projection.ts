// A projection as `ordo rebuild` loads it on NATS, where there is no SQL
// database: its read model is a file the test names (ORDO_TEST_READ_MODEL),
// a line per OrderPlaced. The handler appends, reset empties it.
import { appendFileSync, writeFileSync } from "node:fs";
import process from "node:process";
import type { RebuildableProjection } from "../../cli/mod.ts";

const file = (): string => {
  const path = process.env.ORDO_TEST_READ_MODEL;
  if (path === undefined) throw new Error("ORDO_TEST_READ_MODEL names no file");
  return path;
};

/** Rebuilt by the command line in tests/cli/cli_nats.test.ts. */
export const projection: RebuildableProjection = {
  group: "rebuilt-file-totals",
  source: { category: "order", types: ["OrderPlaced"] },
  reset: () => writeFileSync(file(), ""),
  handler: (message) => {
    appendFileSync(file(), `${message.streamName} ${(message.data as { total: number }).total}\n`);
  },
};
