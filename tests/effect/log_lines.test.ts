// An Effect tagged error in ordo's log lines: a Data.TaggedError has no
// message, so a line showed only its name (`error="OrderExists: "`); it shows
// its fields now, as the caller's HandlerError keeps them.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Data, Effect } from "effect";
import { createConsoleLogger } from "../../mod.ts";
import { formatLogLine } from "../../core/logger.ts";
import { inProcessTransport, makeBus } from "../../effect/mod.ts";
import { until } from "../_until.ts";

class OrderExists extends Data.TaggedError("OrderExists")<{ readonly orderId: string }> {}

describe("a tagged error in a log line", () => {
  it("formatLogLine() shows a Data.TaggedError's fields", () => {
    assert.equal(
      formatLogLine("warn", "Message parked", { error: new OrderExists({ orderId: "o-1" }) }),
      'ordo warn: Message parked error="OrderExists {\\"orderId\\":\\"o-1\\"}"',
    );
  });

  it("the line of an event parked by an Effect handler's tagged failure names its fields", async () => {
    const lines: string[] = [];
    const logger = createConsoleLogger({ write: (line) => void lines.push(line) });
    await Effect.runPromise(Effect.scoped(Effect.gen(function* () {
      const bus = yield* makeBus({ transport: inProcessTransport({ logger }), logger });
      yield* bus.subscribe(
        "billing",
        ["orders/placed"],
        () => Effect.fail(new OrderExists({ orderId: "o-1" })),
        { retry: { maxAttempts: 1 } },
      );
      yield* bus.publish({ type: "orders/placed", data: {} });
      yield* Effect.promise(() =>
        until(() => lines.some((line) => line.includes("Message parked")), "the parked line")
      );
    })));
    const parked = lines.find((line) => line.includes("Message parked"))!;
    assert.match(parked, / error="OrderExists \{\\"orderId\\":\\"o-1\\"\}"$/);
  });
});
