// The logger: one line per event, levels filtered, silenceable and
// redirectable, and never throwing into the code that reports.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import {
  consoleLogger,
  createConsoleLogger,
  type LogLevel,
  silentLogger,
  ValidationError,
} from "../../mod.ts";
import { formatLogLine } from "../../core/logger.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

describe("the logger", () => {
  it("writes one line per event: level, message, then the fields", () => {
    const lines: [string, LogLevel][] = [];
    const logger = createConsoleLogger({ write: (line, level) => lines.push([line, level]) });
    logger.error("Handler failed", {
      group: "billing",
      attempt: 2,
      position: 41n,
      parked: false,
      missing: undefined,
      error: new RangeError("no stock"),
      ids: ["a", "b"],
    });
    logger.warn("Lease lost");
    assert.deepEqual(lines, [
      [
        'ordo error: Handler failed group="billing" attempt=2 position=41 parked=false error="RangeError: no stock" ids=["a","b"]',
        "error",
      ],
      ["ordo warn: Lease lost", "warn"],
    ]);
  });

  it("drops events below its level (info by default)", () => {
    const lines: string[] = [];
    const byDefault = createConsoleLogger({ write: (line) => lines.push(line) });
    byDefault.debug("not written");
    byDefault.info("written");
    const quiet = createConsoleLogger({ level: "error", write: (line) => lines.push(line) });
    quiet.warn("not written either");
    quiet.error("written too");
    assert.deepEqual(lines, ["ordo info: written", "ordo error: written too"]);
    assert.throws(
      () => createConsoleLogger({ level: "loud" as LogLevel }),
      (e) => e instanceof ValidationError && e.path === "options.level",
    );
  });

  it("writes to the console by default, and silentLogger writes nothing", () => {
    const original = console.error;
    const seen: unknown[] = [];
    console.error = (...args: unknown[]) => void seen.push(args.join(" "));
    try {
      consoleLogger.error("Storage failed", { group: "g" });
      silentLogger.error("Storage failed", { group: "g" });
    } finally {
      console.error = original;
    }
    assert.deepEqual(seen, ['ordo error: Storage failed group="g"']);
  });

  it("never throws: a writer that throws and fields that cannot be rendered are survived", () => {
    const throwing = createConsoleLogger({
      write: () => {
        throw new Error("disk full");
      },
    });
    throwing.error("x");
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    assert.match(
      formatLogLine("info", "m", { cyclic }),
      /^ordo info: m cyclic="\[object Object\]"$/,
    );
  });

  it("an error with no message is shown by its own fields, as JSON and bounded", () => {
    class OrderExists extends Error {
      readonly _tag = "OrderExists";
      constructor(readonly orderId: string, readonly lines?: unknown) {
        super("");
        this.name = "OrderExists";
      }
    }
    assert.equal(
      formatLogLine("warn", "Message parked", { error: new OrderExists("o-1") }),
      'ordo warn: Message parked error="OrderExists {\\"orderId\\":\\"o-1\\"}"',
    );
    const long = formatLogLine("warn", "m", { error: new OrderExists("o-2", "x".repeat(2_000)) });
    assert.ok(long.length < 700, `bounded: ${long.length} characters`);
    assert.match(
      long,
      /^ordo warn: m error="OrderExists \{\\"orderId\\":\\"o-2\\",\\"lines\\":\\"x+…"$/,
    );
    // With a message, or with no fields, as before.
    assert.equal(
      formatLogLine("warn", "m", { error: new RangeError("no stock") }),
      'ordo warn: m error="RangeError: no stock"',
    );
    assert.equal(
      formatLogLine("warn", "m", { error: new Error() }),
      'ordo warn: m error="Error: "',
    );
  });

  it("property: whatever the message and fields, an event is exactly one line", () => {
    fc.assert(
      fc.property(
        fc.string(),
        fc.dictionary(fc.string({ minLength: 1, maxLength: 8 }), fc.jsonValue()),
        (message, fields) => {
          const line = formatLogLine("warn", message, fields);
          assert.doesNotMatch(line, /[\r\n]/);
          assert.ok(line.startsWith("ordo warn: "));
        },
      ),
      propertyParameters(300),
    );
  });
});
