// The console's list of the NATS transport's groups, when it fails: said once
// through the logger, and once more when it lists again, with how long it was
// down. The pages say it too, but only to whoever has one open.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { reportingFailures } from "../../admin/_nats_event_groups.ts";
import { keptLogger } from "../_kept_logger.ts";

describe("the console's NATS group lister, failing", () => {
  it("says the failure once, passes it on, and says when the list works again", async () => {
    const logger = keptLogger();
    let broken = true;
    const list = reportingFailures(() => {
      if (broken) return Promise.reject(new Error("connection closed"));
      return Promise.resolve([]);
    }, logger);
    for (let i = 0; i < 3; i++) {
      await assert.rejects(list(), /connection closed/, "the caller still hears the failure");
    }
    assert.deepEqual(logger.lines, [
      "warn: Console could not list the NATS transport's groups; showing the storage's",
    ]);
    broken = false;
    assert.deepEqual(await list(), []);
    assert.deepEqual(await list(), []);
    assert.deepEqual(logger.lines.slice(1), [
      "info: Console lists the NATS transport's groups again",
    ]);
    assert.equal(typeof logger.fields[1]!.downMs, "number");
  });
});
