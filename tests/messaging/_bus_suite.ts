// The bus patterns every transport must pass: command send (with dedup by
// id, and a reused id with other content refused), sendAndWait (result,
// handler error, timeout), query (answer, timeout, unknown name), event
// broadcast to two groups each at its own checkpoint, and fast-check
// properties for command dedup, id conflicts and per-stream event order.
import assert from "node:assert/strict";
import { after, describe, it } from "node:test";
import fc from "fast-check";
import {
  ClosedError,
  ConcurrencyError,
  createConsoleLogger,
  IdempotencyConflictError,
  NotFoundError,
  type ParkedMessage,
  ServerError,
  silentLogger,
  TimeoutError,
  ValidationError,
} from "../../core/mod.ts";
import { type Bus, createBus, type Transport } from "../../core/messaging/mod.ts";
import { until } from "../_until.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

export interface BusSuiteOptions {
  readonly name: string;
  /** A fresh, empty transport; `reopen` makes another transport over the same storage (a restart). */
  readonly create: () => Promise<{ transport: Transport; reopen?: () => Transport }>;
  /** Whether a group that stops and comes back resumes from a stored checkpoint. */
  readonly durableCheckpoints: boolean;
  readonly propertyRuns: number;
  /** The transport crosses a trust boundary (HTTP): a handler's own error reaches the caller as a `ServerError` with an error id, never its message. */
  readonly handlerErrorsMasked?: boolean;
  /**
   * How handler results reach the caller: `"reference"` in-process (the very
   * value), `"json"` across a transport (bigints as decimal strings, a value
   * JSON would change refused). Default `"reference"` for both.
   */
  readonly results?: { readonly commands: ResultForm; readonly queries: ResultForm };
  /**
   * The transport's close ends its own callers' waits (NATS): a `query` of this
   * bus still waiting rejects with `ClosedError`, though its handler here runs
   * to its end before `close()` resolves. Default false: the caller gets the answer.
   */
  readonly closeEndsWaits?: boolean;
}

type ResultForm = "reference" | "json";

/** Polls until `check` holds, or fails after `timeout` ms (the bus tests' argument order). */
export function eventually(
  check: () => boolean,
  timeout = 10_000,
  what = "condition",
): Promise<void> {
  return until(check, what, timeout, 5);
}

export function testBusPatterns(options: BusSuiteOptions): void {
  describe(`bus over ${options.name}`, () => {
    const open: Bus[] = [];
    const bus = async (extra: Partial<Parameters<typeof createBus>[0]> = {}) => {
      // The previous test's handlers stop first: over a shared database they would compete with this test's.
      await Promise.all(open.splice(0).map((b) => b.close()));
      const made = await options.create();
      // Handlers here fail on purpose: their log lines would be noise.
      const b = createBus({ transport: made.transport, logger: silentLogger, ...extra });
      open.push(b);
      return { bus: b, transport: made.transport, reopen: made.reopen };
    };
    after(async () => {
      await Promise.all(open.map((b) => b.close()));
    });

    it("send() resolves once the command is accepted and its handler runs once", async () => {
      const { bus: b } = await bus();
      const seen: unknown[] = [];
      b.handleCommand("users/lock", (command) => void seen.push(command.data));
      const receipt = await b.send({ type: "users/lock", data: { userId: "u-1" } });
      assert.equal(receipt.deduplicated, false);
      await eventually(() => seen.length === 1, 10_000, "the handler");
      assert.deepEqual(seen, [{ userId: "u-1" }]);
    });

    it("send() with an id already sent does not run the handler again", async () => {
      const { bus: b } = await bus();
      let runs = 0;
      b.handleCommand("users/lock", () => void runs++);
      const id = crypto.randomUUID();
      await b.send({ type: "users/lock", data: {}, id });
      const again = await b.send({ type: "users/lock", data: {}, id });
      assert.equal(again.deduplicated, true);
      await b.sendAndWait({ type: "users/lock", data: {} }); // commands of one name run in order
      assert.equal(runs, 2);
    });

    it("sendAndWait() resolves with the handler's result, the same one for a repeated id", async () => {
      const { bus: b } = await bus();
      let runs = 0;
      b.handleCommand(
        "users/lock",
        (command) => ({ locked: (command.data as { userId: string }).userId, run: ++runs }),
      );
      const id = crypto.randomUUID();
      assert.deepEqual(await b.sendAndWait({ type: "users/lock", data: { userId: "u-7" }, id }), {
        locked: "u-7",
        run: 1,
      });
      assert.deepEqual(await b.sendAndWait({ type: "users/lock", data: { userId: "u-7" }, id }), {
        locked: "u-7",
        run: 1,
      });
      assert.equal(runs, 1);
    });

    it(
      options.handlerErrorsMasked
        ? "sendAndWait() rejects with a ServerError naming an error id, not the handler's message"
        : "sendAndWait() rejects with the handler's error",
      async () => {
        const { bus: b } = await bus();
        b.handleCommand("users/lock", () => {
          throw new RangeError("user u-9 is already locked");
        }, { retry: { maxAttempts: 1 } });
        await assert.rejects(
          b.sendAndWait({ type: "users/lock", data: {} }),
          options.handlerErrorsMasked
            ? (e) =>
              e instanceof ServerError && typeof e.errorId === "string" &&
              !/already locked|RangeError/.test(e.message)
            : (e: Error) => e.name === "RangeError" && /already locked/.test(e.message),
        );
      },
    );

    const commandResults = options.results?.commands ?? "reference";
    const queryResults = options.results?.queries ?? "reference";

    it(
      commandResults === "json"
        ? "sendAndWait() gets the result as JSON: bigints as decimal strings, nothing as null"
        : "sendAndWait() gets the handler's very result, bigints and all",
      async () => {
        const { bus: b } = await bus();
        const result = { at: 41n, items: [1n, { n: 2n }], note: undefined };
        b.handleCommand(
          "users/lock",
          (command) => (command.data as { none?: boolean }).none ? undefined : result,
        );
        const answer = await b.sendAndWait({ type: "users/lock", data: {} });
        const none = await b.sendAndWait({ type: "users/lock", data: { none: true } });
        if (commandResults === "json") {
          assert.deepEqual(answer, { at: "41", items: ["1", { n: "2" }] });
          assert.equal(none, null);
        } else {
          assert.equal(answer, result);
          assert.equal(none, undefined);
        }
      },
    );

    it(
      commandResults === "json"
        ? "a command result JSON would change (a Map) fails sendAndWait with a ValidationError at result; the command ran once and is not parked"
        : "a command result that is a Map reaches sendAndWait as that Map",
      async () => {
        const { bus: b } = await bus();
        let runs = 0;
        const parked: ParkedMessage[] = [];
        const map = new Map([["a", 1]]);
        b.handleCommand("users/lock", () => {
          runs++;
          return { lock: map };
        }, {
          retry: { maxAttempts: 3, initialDelay: 1 },
          onParked: (entry) => void parked.push(entry),
        });
        const waited = b.sendAndWait({ type: "users/lock", data: {} });
        if (commandResults === "json") {
          await assert.rejects(waited, (e) => {
            assert.ok(e instanceof ValidationError, String(e));
            assert.equal(e.path, "result.lock");
            assert.match(e.message, /a Map is not a plain object/);
            assert.match(
              e.message,
              /the result of sendAndWait "users\/lock" crosses the transport as JSON/,
            );
            return true;
          });
          // A retry (1 ms away) or a park would show by now.
          await new Promise((resolve) => setTimeout(resolve, 200));
          assert.equal(runs, 1);
          assert.deepEqual(parked, []);
        } else {
          assert.deepEqual(await waited, { lock: map });
        }
      },
    );

    it("an ordo error a command handler throws reaches sendAndWait() as its own class, with its fields", async () => {
      const { bus: b } = await bus();
      b.handleCommand("users/lock", () => {
        throw new ConcurrencyError("user-9", 3, 5);
      }, { retry: { maxAttempts: 1 } });
      await assert.rejects(b.sendAndWait({ type: "users/lock", data: {} }), (e) => {
        assert.ok(e instanceof ConcurrencyError, `${(e as Error).name}: ${(e as Error).message}`);
        assert.equal(e.streamName, "user-9");
        assert.equal(e.expectedVersion, 3);
        assert.equal(e.actualVersion, 5);
        return true;
      });
    });

    it(
      queryResults === "json"
        ? "a query's answer JSON would change (a Date) fails query() with a ValidationError at result; bigints arrive as decimal strings"
        : "a query's answer reaches query() as the very value",
      async () => {
        const { bus: b } = await bus();
        const date = new Date(0);
        b.handleQuery(
          "users/when",
          (payload) => (payload as { big?: boolean }).big ? { at: 7n } : { at: date },
        );
        if (queryResults === "json") {
          assert.deepEqual(await b.query("users/when", { big: true }), { at: "7" });
          await assert.rejects(b.query("users/when", {}), (e) => {
            assert.ok(e instanceof ValidationError, String(e));
            assert.equal(e.path, "result.at");
            assert.match(e.message, /a Date is not a plain object/);
            return true;
          });
        } else {
          assert.deepEqual(await b.query("users/when", { big: true }), { at: 7n });
          assert.equal(((await b.query("users/when", {})) as { at: Date }).at, date);
        }
      },
    );

    it("a handler's own TimeoutError is its answer: not retried by the caller, not counted by its breaker", async () => {
      const { bus: b } = await bus({ circuitBreaker: { failureThreshold: 2 } });
      let commandRuns = 0;
      let queryRuns = 0;
      b.handleCommand("stock/reserve", () => {
        commandRuns++;
        throw new TimeoutError("call the warehouse", 100);
      }, { retry: { maxAttempts: 1 } });
      b.handleQuery("stock/level", () => {
        queryRuns++;
        return Promise.reject(new TimeoutError("read the warehouse", 100));
      });
      for (let i = 0; i < 3; i++) {
        await assert.rejects(
          b.sendAndWait({ type: "stock/reserve", data: {} }),
          (e) => e instanceof TimeoutError && e.operation === "call the warehouse",
        );
        await assert.rejects(
          b.query("stock/level", {}),
          (e) => e instanceof TimeoutError && e.operation === "read the warehouse",
        );
      }
      assert.equal(commandRuns, 3);
      assert.equal(queryRuns, 3);
      assert.equal(b.circuitBreaker?.state, "closed");
    });

    it("an ordo error a query handler throws reaches query() as its own class, with its fields", async () => {
      const { bus: b } = await bus();
      b.handleQuery("users/when", () => {
        throw new ConcurrencyError("user-9", "no-stream", 2);
      });
      await assert.rejects(b.query("users/when", {}), (e) => {
        assert.ok(e instanceof ConcurrencyError, `${(e as Error).name}: ${(e as Error).message}`);
        assert.equal(e.streamName, "user-9");
        assert.equal(e.actualVersion, 2);
        return true;
      });
    });

    it("a command its handler refuses with a ValidationError is parked after one attempt, retry or not", async () => {
      const { bus: b } = await bus();
      const attempts: number[] = [];
      const parked: ParkedMessage[] = [];
      b.handleCommand("users/lock", (_command, context) => {
        attempts.push(context.attempt);
        throw new ValidationError("command.data.userId", 5, "must be a string");
      }, {
        retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
        onParked: (entry) => void parked.push(entry),
      });
      await assert.rejects(
        b.sendAndWait({ type: "users/lock", data: { userId: 5 } }),
        (e) => e instanceof ValidationError && e.path === "command.data.userId",
      );
      await eventually(() => parked.length === 1, 10_000, "onParked");
      assert.deepEqual(attempts, [1]);
    });

    it("a command handler given retry is retried, then its command is parked (onParked) and sendAndWait() rejects", async () => {
      const { bus: b } = await bus();
      const attempts: number[] = [];
      const parked: ParkedMessage[] = [];
      b.handleCommand("users/lock", (_command, context) => {
        attempts.push(context.attempt);
        throw new RangeError("user u-9 is still locked");
      }, {
        retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
        onParked: (entry) => void parked.push(entry),
      });
      await assert.rejects(
        b.sendAndWait({ type: "users/lock", data: { userId: "u-9" } }),
        options.handlerErrorsMasked ? ServerError : /still locked/,
      );
      assert.deepEqual(attempts, [1, 2, 3]);
      await eventually(() => parked.length === 1, 10_000, "onParked");
      assert.equal(parked[0].attempts, 3);
      assert.equal(parked[0].message.type, "users/lock");
      assert.match(parked[0].error.message, /still locked/);
    });

    it("an onError hook that throws is logged (onError hook threw) and the event is retried all the same", async () => {
      const lines: string[] = [];
      const { bus: b } = await bus({
        logger: createConsoleLogger({ write: (line) => void lines.push(line) }),
      });
      const attempts: number[] = [];
      await b.subscribe("audit", ["orders/placed"], (_event, context) => {
        attempts.push(context.attempt);
        if (context.attempt === 1) throw new RangeError("the audit log is busy");
      }, {
        retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
        onError: () => {
          throw new TypeError("the alerting hook is broken");
        },
      }).ready;
      await b.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await eventually(() => attempts.length === 2, 10_000, "the second attempt");
      assert.deepEqual(attempts, [1, 2]);
      assert.ok(
        lines.some((line) =>
          line.startsWith("ordo error: onError hook threw") && /alerting hook is broken/.test(line)
        ),
        lines.join("\n"),
      );
    });

    it("an event its handler refuses with a ValidationError is parked after one attempt, retry or not", async () => {
      const { bus: b } = await bus();
      const attempts: number[] = [];
      const parked: ParkedMessage[] = [];
      await b.subscribe("audit", ["orders/placed"], (_event, context) => {
        attempts.push(context.attempt);
        throw new ValidationError("event.data.orderId", 5, "must be a string");
      }, {
        retry: { maxAttempts: 3, initialDelay: 1, maxDelay: 5 },
        onParked: (entry) => void parked.push(entry),
      }).ready;
      await b.publish({ type: "orders/placed", data: { orderId: 5 }, stream: "order-1" });
      await eventually(() => parked.length === 1, 10_000, "onParked");
      assert.deepEqual(attempts, [1]);
      assert.equal(parked[0].attempts, 1);
      assert.equal(parked[0].error.name, "ValidationError");
    });

    it("an event handler's retry rule (delays) decides the waits and when its event is parked", async () => {
      const { bus: b } = await bus();
      const attempts: number[] = [];
      const asked: number[] = [];
      const parked: ParkedMessage[] = [];
      await b.subscribe("audit", ["orders/placed"], (_event, context) => {
        attempts.push(context.attempt);
        throw new RangeError("the audit log is full");
      }, {
        // Without the rule the defaults would allow 5 attempts: the rule parks after the second.
        retry: { delays: () => (attempt) => (asked.push(attempt), attempt < 2 ? 1 : undefined) },
        onParked: (entry) => void parked.push(entry),
      }).ready;
      await b.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await eventually(() => parked.length === 1, 10_000, "onParked");
      assert.deepEqual(attempts, [1, 2]);
      assert.deepEqual(asked, [1, 2]);
      assert.equal(parked[0].attempts, 2);
    });

    it("sendAndWait() rejects with a TimeoutError when the handler does not answer in time", async () => {
      const { bus: b } = await bus();
      b.handleCommand("users/slow", () => new Promise((resolve) => setTimeout(resolve, 1_000)));
      const start = Date.now();
      await assert.rejects(
        b.sendAndWait({ type: "users/slow", data: {} }, { timeout: 150 }),
        (e) => e instanceof TimeoutError && e.timeoutMs === 150,
      );
      assert.ok(Date.now() - start < 5_000);
    });

    it("send() and sendAndWait() of an id already used with other data reject with IdempotencyConflictError; the first answer is kept", async () => {
      const { bus: b } = await bus();
      const placed: string[] = [];
      b.handleCommand("orders/place", (command) => {
        const { order } = command.data as { order: string };
        placed.push(order);
        return { status: "placed", orderId: order };
      });
      const id = crypto.randomUUID();
      assert.deepEqual(
        await b.sendAndWait({ type: "orders/place", data: { order: "A1", lines: 2 }, id }),
        { status: "placed", orderId: "A1" },
      );
      for (
        const call of [
          () => b.sendAndWait({ type: "orders/place", data: { order: "B7", lines: 2 }, id }),
          () => b.send({ type: "orders/place", data: { order: "B7", lines: 2 }, id }),
        ]
      ) {
        await assert.rejects(
          call(),
          (e) =>
            e instanceof IdempotencyConflictError && e.messageId === id &&
            e.messageType === "orders/place",
        );
      }
      // The same content with its keys in another order is the same command: the first answer again.
      assert.deepEqual(
        await b.sendAndWait({ type: "orders/place", data: { lines: 2, order: "A1" }, id }),
        { status: "placed", orderId: "A1" },
      );
      assert.equal(
        (await b.send({ type: "orders/place", data: { lines: 2, order: "A1" }, id })).deduplicated,
        true,
      );
      assert.deepEqual(placed, ["A1"]);
    });

    it("query() resolves with the handler's answer", async () => {
      const { bus: b } = await bus();
      b.handleQuery(
        "orders/show",
        (payload) => ({ id: (payload as { id: string }).id, total: 30 }),
      );
      assert.deepEqual(await b.query("orders/show", { id: "o-1" }), { id: "o-1", total: 30 });
    });

    it("query() rejects with a TimeoutError when the handler is too slow", async () => {
      const { bus: b } = await bus();
      b.handleQuery("orders/slow", () => new Promise((resolve) => setTimeout(resolve, 1_000)));
      await assert.rejects(
        b.query("orders/slow", {}, { timeout: 50 }),
        (e) => e instanceof TimeoutError && /query "orders\/slow"/.test(e.message),
      );
    });

    it("the transport stops waiting when a call's signal aborts, with its reason; the handler runs to its end", async () => {
      const { bus: b, transport } = await bus();
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      const started: string[] = [];
      const finished: string[] = [];
      const hold = (kind: string) => async () => {
        started.push(kind);
        await released;
        finished.push(kind);
        return "held";
      };
      b.handleCommand("users/hold", hold("command"));
      b.handleQuery("users/hold", hold("query"));
      const reason = new Error("the caller gave up");
      const command = {
        id: crypto.randomUUID(),
        type: "users/hold",
        data: {},
        key: "u-1",
        metadata: {},
      };
      const calls: [string, (signal: AbortSignal) => Promise<unknown>][] = [
        ["command", (signal) => transport.sendAndWait(command, { signal })],
        ["query", (signal) => transport.query({ name: "users/hold", payload: {} }, { signal })],
      ];
      // Released whatever happens: a held handler would keep close() waiting.
      try {
        for (const [kind, call] of calls) {
          const controller = new AbortController();
          const outcome = call(controller.signal).then(() => "answered", (error) => error);
          // Aborted while its handler runs: the call was taken, only the wait is given up.
          await eventually(() => started.includes(kind), 10_000, `the ${kind} handler to start`);
          const abortedAt = performance.now();
          controller.abort(reason);
          const late = new Promise((resolve) =>
            setTimeout(resolve, 3_000, "still waiting 3 s later")
          );
          assert.equal(await Promise.race([outcome, late]), reason, kind);
          const waited = performance.now() - abortedAt;
          assert.ok(
            waited < 1_000,
            `${kind}: stopped waiting ${Math.round(waited)} ms after the abort`,
          );
        }
      } finally {
        release();
      }
      await eventually(() => finished.length === 2, 10_000, "both handlers to finish");
      assert.deepEqual(finished.sort(), ["command", "query"]);
      // The command's result was kept for its id though no one waited for it: sent again, it is
      // the same result, and the handler does not run again.
      assert.equal(await transport.sendAndWait(command), "held");
      assert.deepEqual(started.sort(), ["command", "query"]);
    });

    it("close() waits for a query handler that is running, and refuses a query sent after it began", async () => {
      const { bus: b } = await bus();
      let started!: () => void;
      const began = new Promise<void>((resolve) => (started = resolve));
      let release!: () => void;
      const released = new Promise<void>((resolve) => (release = resolve));
      let finished = false;
      b.handleQuery("orders/show", async () => {
        started();
        await released;
        finished = true;
        return "shown";
      });
      const answer = b.query("orders/show", {}, { timeout: 60_000 })
        .then((value) => ({ value }), (error: unknown) => ({ error }));
      await began;
      const closing = b.close().then(() => "closed");
      await assert.rejects(
        b.query("orders/show", {}),
        (e) => e instanceof ClosedError && /query "orders\/show"/.test(e.message),
      );
      let timer: ReturnType<typeof setTimeout> | undefined;
      const waiting = new Promise((resolve) => (timer = setTimeout(resolve, 200, "waiting")));
      assert.equal(await Promise.race([closing, waiting]), "waiting", "close() waits");
      clearTimeout(timer);
      release();
      assert.equal(await closing, "closed");
      assert.equal(finished, true, "the handler ran to its end before close() resolved");
      if (options.closeEndsWaits) {
        assert.ok((await answer as { error?: unknown }).error instanceof ClosedError);
      } else {
        assert.deepEqual(await answer, { value: "shown" });
      }
    });

    it("query() of a name nobody handles rejects with a NotFoundError naming it", async () => {
      const { bus: b } = await bus();
      await assert.rejects(
        b.query("orders/nope", {}),
        (e) => e instanceof NotFoundError && e.kind === "query" && e.target === "orders/nope",
      );
    });

    it("publish() reaches every group, each in publish order and at its own checkpoint", async () => {
      const { bus: b, reopen } = await bus();
      const first: number[] = [];
      const second: number[] = [];
      const a = b.subscribe(
        "audit",
        ["orders/placed"],
        (event) => void first.push((event.data as { n: number }).n),
      );
      for (let n = 1; n <= 3; n++) {
        await b.publish({ type: "orders/placed", data: { n }, stream: "order-1" });
      }
      await eventually(() => first.length === 3, 10_000, "group audit");
      // A second group subscribed later starts from its own (empty) checkpoint: it gets everything.
      b.subscribe(
        "billing",
        { category: "order" },
        (event) => void second.push((event.data as { n: number }).n),
      );
      await eventually(() => second.length === 3, 10_000, "group billing");
      await a.stop();
      await b.publish({ type: "orders/placed", data: { n: 4 }, stream: "order-2" });
      await eventually(() => second.length === 4, 10_000, "group billing, live");
      assert.deepEqual(first, [1, 2, 3]);
      if (options.durableCheckpoints && reopen !== undefined) {
        // audit comes back (another transport over the same storage): it resumes after 3, not from the start.
        const again = createBus({ transport: reopen() });
        open.push(again);
        again.subscribe(
          "audit",
          ["orders/placed"],
          (event) => void first.push((event.data as { n: number }).n),
        );
        await eventually(() => first.length === 4, 10_000, "group audit after restart");
        assert.deepEqual(first, [1, 2, 3, 4]);
      }
      assert.deepEqual(second, [1, 2, 3, 4]);
    });

    it("subscribe() refuses a selector that is neither event names nor { category }, naming it, and subscribes nothing", async () => {
      const { bus: b } = await bus();
      const cases: [unknown, string, RegExp][] = [
        ["orders/placed", "selector", /array of event names.*pass \["orders\/placed"\]/],
        [{ categry: "order" }, "selector.categry", /did you mean "category"/],
        [{ category: "orders/placed" }, "selector.category", /not an event name/],
        [{}, "selector", /no category/],
        [null, "selector", /a selector is an array of event names/],
        [[], "selector", /at least one event/],
        [["placed"], "selector[0]", /service\/action/],
      ];
      for (const [selector, path, message] of cases) {
        assert.throws(
          () => b.subscribe("misused", selector as never, () => {}),
          (e) => e instanceof ValidationError && e.path === path && message.test(e.message),
          `${JSON.stringify(selector)} -> ${path}`,
        );
      }
      // Nothing was subscribed: the group is free, and a good selector gets the event.
      const seen: string[] = [];
      const good = b.subscribe("misused", { category: "order" }, (e) => void seen.push(e.type));
      await good.ready;
      await b.publish({ type: "orders/placed", data: {}, stream: "order-1" });
      await eventually(() => seen.length === 1, 10_000, "the event");
    });

    it("handleCommand(), handleQuery() and subscribe() refuse a handler that is not a function, naming handler", async () => {
      const { bus: b } = await bus();
      for (const handler of [42, undefined, "users/lock", { handle: () => {} }]) {
        const refused = (e: unknown) =>
          e instanceof ValidationError && e.path === "handler" &&
          /must be a function/.test(e.message);
        assert.throws(() => b.handleCommand("users/lock", handler as never), refused);
        assert.throws(() => b.handleQuery("users/show", handler as never), refused);
        assert.throws(() => b.subscribe("misused", ["users/locked"], handler as never), refused);
      }
      // Nothing was registered: the names and the group are free.
      b.handleCommand("users/lock", () => "locked");
      b.handleQuery("users/show", () => "shown");
      await b.subscribe("misused", ["users/locked"], () => {}).ready;
      assert.equal(await b.sendAndWait({ type: "users/lock", data: {} }), "locked");
      assert.equal(await b.query("users/show", {}), "shown");
    });

    it("send(), sendAndWait() and publish() check the message like options: known keys, data required, metadata an object, signal an AbortSignal", async () => {
      const { bus: b } = await bus();
      let handled = 0;
      b.handleCommand("users/lock", () => void handled++);
      const seen: unknown[] = [];
      await b.subscribe("audit", { category: "order" }, (e) => void seen.push(e.data)).ready;
      const refused = (path: string, message: RegExp) => (e: unknown) =>
        e instanceof ValidationError && e.path === path && message.test(e.message);
      const commands: [unknown, string, RegExp][] = [
        [{ type: "users/lock", dat: 1 }, "command.dat", /unknown key; did you mean "data"\?/],
        [{ type: "users/lock" }, "command.data", /is required/],
        [{ type: "users/lock", data: 1, metadata: "hi" }, "command.metadata", /plain object/],
        [{ type: "users/lock", data: 1, metadata: [] }, "command.metadata", /plain object/],
        [
          { type: "users/lock", data: 1, metadata: { correlationId: 5 } },
          "command.metadata.correlationId",
          /non-empty string/,
        ],
        [{ type: "users/lock", data: 1, key: 5 }, "command.key", /non-empty string/],
        [
          { type: "users/lock", data: 1, stream: "user-1" },
          "command.stream",
          /give key to choose it/,
        ],
        ["users/lock", "command", /expected \{ type, data/],
      ];
      for (const [command, path, message] of commands) {
        await assert.rejects(b.send(command as never), refused(path, message), path);
        await assert.rejects(b.sendAndWait(command as never), refused(path, message), path);
      }
      const events: [unknown, string, RegExp][] = [
        [
          { type: "orders/placed", dat: 1, stream: "order-9" },
          "event.dat",
          /unknown key; did you mean "data"\?/,
        ],
        [
          { type: "orders/placed", data: 1, strem: "order-9" },
          "event.strem",
          /did you mean "stream"\?/,
        ],
        [{ type: "orders/placed", stream: "order-9" }, "event.data", /is required/],
        [{ type: "orders/placed", data: 1, metadata: "hi" }, "event.metadata", /plain object/],
        [{ type: "orders/placed", data: 1, key: 5 }, "event.key", /non-empty string/],
      ];
      for (const [event, path, message] of events) {
        await assert.rejects(b.publish(event as never), refused(path, message), path);
      }
      const signals: [unknown, RegExp][] = [
        [new AbortController(), /got an AbortController: pass its signal/],
        ["abort", /expected an AbortSignal/],
      ];
      // A bus option given to a call is told where it belongs, not offered the nearest name.
      await assert.rejects(
        b.send({ type: "users/lock", data: 1 }, { retry: 5 } as never),
        refused(
          "options.retry",
          /retry is set on the bus \(createBus\(\{ retry \}\)\), not per call/,
        ),
      );
      for (const [signal, message] of signals) {
        const options = { signal } as never;
        await assert.rejects(
          b.send({ type: "users/lock", data: 1 }, options),
          refused("options.signal", message),
        );
        await assert.rejects(b.query("users/show", 1, options), refused("options.signal", message));
        await assert.rejects(
          b.publish({ type: "orders/placed", data: 1, stream: "order-9" }, options),
          refused("options.signal", message),
        );
      }
      // Nothing got through: the one good command and event after them are the first handled.
      await b.sendAndWait({ type: "users/lock", data: null, metadata: { tenant: "acme" } });
      await b.publish({ type: "orders/placed", data: { n: 1 }, stream: "order-9" });
      await eventually(() => seen.length === 1, 10_000, "the event");
      assert.equal(handled, 1);
      assert.deepEqual(seen, [{ n: 1 }]);
    });

    it("property: any sequence of sends with repeated ids runs each distinct command exactly once", async () => {
      const { bus: b } = await bus();
      const runs = new Map<string, number>();
      b.handleCommand(
        "users/lock",
        (command) => void runs.set(command.id, (runs.get(command.id) ?? 0) + 1),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(fc.nat(5), { minLength: 1, maxLength: 12 }), async (picks) => {
          const pool = Array.from({ length: 6 }, () => crypto.randomUUID());
          for (const pick of picks) {
            await b.send({ type: "users/lock", data: { pick }, id: pool[pick] });
          }
          // Commands of one name are handled in order: once this one is answered, all before it were handled.
          await b.sendAndWait({ type: "users/lock", data: {} });
          for (const id of new Set(picks.map((pick) => pool[pick]))) {
            assert.equal(runs.get(id), 1, `command ${id}`);
          }
          for (const id of pool.filter((_, i) => !picks.includes(i))) {
            assert.equal(runs.get(id), undefined);
          }
        }),
        propertyParameters(options.propertyRuns),
      );
    });

    it("property: a reused command id is deduplicated when its data is the same and refused when it differs", async () => {
      const { bus: b } = await bus();
      const runs = new Map<string, unknown[]>();
      b.handleCommand(
        "users/tag",
        (command) => void runs.set(command.id, [...(runs.get(command.id) ?? []), command.data]),
      );
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat(3), fc.nat(2)), { minLength: 1, maxLength: 10 }),
          async (sends) => {
            const pool = Array.from({ length: 4 }, () => crypto.randomUUID());
            const first = new Map<string, number>();
            for (const [pick, tag] of sends) {
              const id = pool[pick];
              const sent = b.send({ type: "users/tag", data: { tag, user: pick }, id });
              const known = first.get(id);
              if (known === undefined) {
                first.set(id, tag);
                assert.equal((await sent).deduplicated, false);
              } else if (known === tag) {
                assert.equal((await sent).deduplicated, true);
              } else {
                await assert.rejects(
                  sent,
                  (e) => e instanceof IdempotencyConflictError && e.messageId === id,
                );
              }
            }
            await b.sendAndWait({ type: "users/tag", data: {} });
            for (const [id, tag] of first) {
              assert.deepEqual(
                runs.get(id),
                [{ tag, user: pool.indexOf(id as typeof pool[number]) }],
                `command ${id}`,
              );
            }
          },
        ),
        propertyParameters(options.propertyRuns),
      );
    });

    it("property: each group sees every stream's events in publish order", async () => {
      const { bus: b } = await bus();
      let run = 0;
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom("1", "2", "3"), { minLength: 1, maxLength: 15 }),
          async (streams) => {
            run++;
            const seen = new Map<string, string[]>([["g1", []], ["g2", []]]);
            const subs = [...seen.keys()].map((group) =>
              b.subscribe(
                `${group}-${run}`,
                [`orders/ordered${run}`],
                (event) =>
                  void seen.get(group)!.push(
                    `${event.streamName}#${(event.data as { seq: number }).seq}`,
                  ),
              )
            );
            const published: string[] = [];
            const counters = new Map<string, number>();
            for (const s of streams) {
              const seq = (counters.get(s) ?? 0) + 1;
              counters.set(s, seq);
              const stream = `ordered${run}_${s}-x`;
              await b.publish({ type: `orders/ordered${run}`, data: { seq }, stream });
              published.push(`${stream}#${seq}`);
            }
            await eventually(
              () => [...seen.values()].every((list) => list.length === published.length),
              20_000,
              "both groups",
            );
            for (const list of seen.values()) {
              assert.deepEqual([...list].sort(), [...published].sort());
              for (const stream of new Set(streams)) {
                const name = `ordered${run}_${stream}-x#`;
                assert.deepEqual(
                  list.filter((e) => e.startsWith(name)),
                  published.filter((e) => e.startsWith(name)),
                );
              }
            }
            await Promise.all(subs.map((sub) => sub.stop()));
          },
        ),
        propertyParameters(options.propertyRuns),
      );
    });
  });
}
