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

  it("names ordo's level for another logger's (warning, WARN, trace), and silentLogger for none", () => {
    const hints: [string, string][] = [
      ["warning", 'did you mean "warn"?'],
      ["WARN", 'levels are lower case, "warn"'],
      ["fatal", 'did you mean "error"?'],
      ["trace", 'did you mean "debug"?'],
      ["silent", "for no logging, pass silentLogger instead of a console logger"],
    ];
    for (const [level, hint] of hints) {
      assert.throws(
        () => createConsoleLogger({ level: level as LogLevel }),
        (e) => e instanceof ValidationError && e.reason.endsWith(`: ${hint}`),
        level,
      );
    }
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

  it("an error is shown with its cause chain: each cause once, at most four deep", () => {
    const root = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5432"), {
      code: "ECONNREFUSED",
    });
    const wrapped = new Error("boom", { cause: new TypeError("socket closed", { cause: root }) });
    assert.equal(
      formatLogLine("error", "Handler failed", { e: wrapped }),
      'ordo error: Handler failed e="Error: boom; caused by TypeError: socket closed; caused by Error: connect ECONNREFUSED 127.0.0.1:5432"',
    );
    // A cause that is not an Error: as it is, or as JSON.
    assert.equal(
      formatLogLine("warn", "m", { error: new Error("a", { cause: "timeout" }) }),
      'ordo warn: m error="Error: a; caused by timeout"',
    );
    assert.equal(
      formatLogLine("warn", "m", { error: new Error("a", { cause: { code: "57P01", n: 2n } }) }),
      'ordo warn: m error="Error: a; caused by {\\"code\\":\\"57P01\\",\\"n\\":\\"2\\"}"',
    );
    // A cycle: each error once.
    const first = new Error("first");
    const second = new Error("second", { cause: first });
    (first as { cause?: unknown }).cause = second;
    assert.equal(
      formatLogLine("warn", "m", { error: first }),
      'ordo warn: m error="Error: first; caused by Error: second"',
    );
    // Ten deep: the error and four causes, then "…".
    let deep = new Error("e0");
    for (let i = 1; i < 10; i++) deep = new Error(`e${i}`, { cause: deep });
    assert.equal(
      formatLogLine("warn", "m", { error: deep }),
      'ordo warn: m error="Error: e9; caused by Error: e8; caused by Error: e7; caused by Error: e6; caused by Error: e5; caused by …"',
    );
    // An error with no message and a cause its class assigned: the cause once, not among its fields.
    class Refused extends Error {
      constructor(readonly orderId: string, cause: unknown) {
        super("");
        this.name = "Refused";
        this.cause = cause;
      }
    }
    assert.equal(
      formatLogLine("warn", "m", { error: new Refused("o-1", new RangeError("no stock")) }),
      'ordo warn: m error="Refused {\\"orderId\\":\\"o-1\\"}; caused by RangeError: no stock"',
    );
  });

  it("property: any cause chain, cycles too, is one line with at most four causes", () => {
    fc.assert(
      fc.property(
        fc.array(fc.string(), { minLength: 1, maxLength: 8 }),
        fc.option(fc.nat(), { nil: undefined }),
        (messages, back) => {
          const errors = messages.map((message) => new Error(message));
          errors.forEach((error, i) => {
            const next = errors[i + 1] ??
              (back === undefined ? undefined : errors[back % errors.length]);
            if (next !== undefined) (error as { cause?: unknown }).cause = next;
          });
          const line = formatLogLine("warn", "m", { error: errors[0] });
          assert.doesNotMatch(line, /[\r\n]/);
          const causes =
            JSON.parse(line.slice("ordo warn: m error=".length)).split("; caused by ").length - 1;
          assert.ok(causes <= 5, line); // four causes, then "…"
        },
      ),
      propertyParameters(300),
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
