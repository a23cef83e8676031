// tellHooks is how every store and transport tells a user's onError and
// onParked hooks: in order, each one whatever the one before it threw, and
// a throw logged as "<hook> hook threw" with the site's fields, never thrown
// into the delivery loop that called it.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { tellHooks } from "../../core/mod.ts";
import { keptLogger } from "../_kept_logger.ts";

describe("tellHooks()", () => {
  it("tells each hook the arguments, in order, and logs nothing when none throws", () => {
    const logger = keptLogger();
    const told: string[] = [];
    const failure = new RangeError("no stock");
    tellHooks(
      [
        (error: unknown, group: string) => void told.push(`first ${String(error)} ${group}`),
        (error: unknown, group: string) => void told.push(`second ${String(error)} ${group}`),
      ],
      [failure, "billing"],
      { logger, fields: { group: "billing" } },
    );
    assert.deepEqual(told, [
      "first RangeError: no stock billing",
      "second RangeError: no stock billing",
    ]);
    assert.deepEqual(logger.lines, []);
  });

  it("logs a hook that throws, with the site's fields, and still tells the next", () => {
    const logger = keptLogger();
    const told: string[] = [];
    const broken = new TypeError("the pager is down");
    tellHooks(
      [
        () => {
          throw broken;
        },
        () => void told.push("second"),
      ],
      [],
      { logger, fields: { group: "billing", partition: 2 } },
    );
    assert.deepEqual(told, ["second"]);
    assert.deepEqual(logger.lines, ["error: onError hook threw"]);
    assert.deepEqual(logger.fields, [{ group: "billing", partition: 2, error: broken }]);
  });

  it("skips an undefined hook", () => {
    const logger = keptLogger();
    const told: string[] = [];
    tellHooks([undefined, () => void told.push("told"), undefined], [], { logger });
    assert.deepEqual(told, ["told"]);
    assert.deepEqual(logger.lines, []);
  });

  it("never lets a throw escape, whatever every hook throws", () => {
    const logger = keptLogger();
    const throwing = (value: unknown) => () => {
      throw value;
    };
    assert.doesNotThrow(() =>
      tellHooks([throwing(new Error("one")), throwing("two"), throwing(undefined)], [], {
        logger,
        fields: { group: "audit" },
      })
    );
    assert.deepEqual(logger.lines, [
      "error: onError hook threw",
      "error: onError hook threw",
      "error: onError hook threw",
    ]);
    assert.deepEqual(logger.fields.map((fields) => fields.error), [
      new Error("one"),
      "two",
      undefined,
    ]);
  });

  it("names the hook it was given in the line (onParked)", () => {
    const logger = keptLogger();
    tellHooks(
      [() => {
        throw new Error("the parked table is full");
      }],
      [],
      { logger, fields: { group: "audit" }, hook: "onParked" },
    );
    assert.deepEqual(logger.lines, ["error: onParked hook threw"]);
    assert.equal(logger.fields[0].group, "audit");
  });

  it("logs an async hook's rejection, which would otherwise be an unhandled rejection", async () => {
    const logger = keptLogger();
    const down = new Error("the pager is down");
    const told: string[] = [];
    tellHooks(
      [async () => {
        await Promise.resolve();
        throw down;
      }, () => void told.push("second")],
      [],
      { logger, fields: { group: "billing" } },
    );
    assert.deepEqual(told, ["second"]);
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(logger.lines, ["error: onError hook rejected"]);
    assert.deepEqual(logger.fields, [{ group: "billing", error: down }]);
  });
});
