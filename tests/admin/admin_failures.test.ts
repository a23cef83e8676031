// What the console's handler does when what it reads fails: an error that is
// not ordo's is logged under an error id the answer names (a trial found the
// answer saying "see the server's log" with nothing logged), and the sampler
// for the charts neither piles up calls on a store that hangs (a trial with
// PostgreSQL stopped found console requests waiting minutes behind them) nor
// fails silently.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  createMemoryConsumerStorage,
  createMemoryStore,
  type EventStore,
  type LogFields,
  type Logger,
  type LogLevel,
  StoreUnavailableError,
} from "../../mod.ts";
import { createAdminHandler } from "../../admin/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";

const OPERATOR = { authorization: "Bearer operator-token-7f3a9c" };
const VIEWER = { authorization: "Bearer viewer-token-5b2e8d41" };
const AUTH = {
  operator: { bearer: "operator-token-7f3a9c" },
  viewer: { bearer: "viewer-token-5b2e8d41" },
};

/** A logger that keeps its lines. */
function keptLogger(): Logger & {
  lines: { level: LogLevel; message: string; fields?: LogFields }[];
} {
  const lines: { level: LogLevel; message: string; fields?: LogFields }[] = [];
  const at = (level: LogLevel) => (message: string, fields?: LogFields) =>
    void lines.push({ level, message, fields });
  return { lines, error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

describe("the console's handler when reads fail", () => {
  it("logs an error that is not ordo's under an error id, and answers a ServerError naming it", async () => {
    const store = createMemoryStore();
    const broken: EventStore = Object.assign(Object.create(store), {
      listStreams: () => Promise.reject(new TypeError("Cannot read properties of undefined")),
    });
    const logger = keptLogger();
    const handler = createAdminHandler({
      store: broken,
      storage: createMemoryConsumerStorage(),
      auth: AUTH,
      logger,
    });
    try {
      const answer = await handler.fetch(
        new Request("http://127.0.0.1/api/streams", { headers: OPERATOR }),
      );
      assert.equal(answer.status, 500);
      const body = await answer.json();
      assert.equal(body._tag, "ServerError");
      assert.match(body.errorId, /^[0-9a-f-]{36}$/);
      assert.match(body.message, new RegExp(`see error id "${body.errorId}" in its log`));
      const logged = logger.lines.filter((line) => line.level === "error");
      assert.equal(logged.length, 1, "one line, at error level");
      assert.equal(logged[0].fields?.errorId, body.errorId, "under the id the answer names");
      assert.equal(logged[0].fields?.operation, "GET /api/streams");
      assert.ok(logged[0].fields?.error instanceof TypeError, "with the error itself");
    } finally {
      await handler.close();
    }
  });

  // A trial with PostgreSQL stopped found requests answered after 12 to 30 s.
  it("answers 503 within requestTimeout while the store hangs, shares a read asked twice at once, starts at most two more beside it, and answers again once it works", async () => {
    const store = createMemoryStore();
    let heads = 0;
    let gate: Promise<void> | undefined;
    let release: () => void = () => {};
    const hanging: EventStore = Object.assign(Object.create(store), {
      headPosition: async () => {
        heads++;
        await gate;
        return await store.headPosition();
      },
      getStreamInfo: (name: string) => store.getStreamInfo(name),
      readStream: (name: string, options?: object) => store.readStream(name, options),
      listStreams: (options?: object) => store.listStreams!(options),
      listCategories: () => store.listCategories!(),
    });
    const handler = createAdminHandler({
      store: hanging,
      storage: createMemoryConsumerStorage(),
      auth: AUTH,
      logger: keptLogger(),
      sampleInterval: 60_000,
      requestTimeout: 300,
    });
    const overview = () =>
      handler.fetch(new Request("http://127.0.0.1/api/overview", { headers: OPERATOR }));
    try {
      assert.equal((await overview()).status, 200, "before the store hangs");
      gate = new Promise<void>((resolve) => (release = resolve));
      const before = heads;
      const started = Date.now();
      // Two tabs asking at once: one read, both answered at the deadline.
      const [answer, twin] = await Promise.all([overview(), overview()]);
      const took = Date.now() - started;
      const pair = heads - before;
      assert.equal(answer.status, 503);
      assert.equal(twin.status, 503);
      assert.ok(took >= 280 && took < 2000, `answered after ${took} ms`);
      const body = await answer.json();
      assert.equal(body._tag, "StoreUnavailableError");
      assert.equal(
        body.message,
        "Store unavailable during GET /api/overview: no answer from the store or its consumer storage within 300 ms (the console's requestTimeout): is its database up and reachable?",
      );
      assert.equal((await twin.json()).message, body.message);
      assert.ok(pair > 0, "the two asked at once cost one read");
      // The server says since when the store has not answered: the start of that read.
      assert.ok(Date.parse(body.unreachableSince) <= started + 50, body.unreachableSince);
      assert.ok(body.unreachableMs >= took - 50, `unreachableMs=${body.unreachableMs}`);
      // Past its deadline a read is not joined (it may be stuck behind the driver): a fresh
      // read starts beside it, one per deadline, up to three; while three run, no more.
      // 20 more requests, from both roles, over four deadlines: two reads more, the rest
      // answered 503 at once.
      const after = heads;
      let slow = 0;
      for (let i = 0; i < 20; i++) {
        const asked = Date.now();
        const late = await handler.fetch(
          new Request("http://127.0.0.1/api/overview", { headers: i % 2 ? VIEWER : OPERATOR }),
        );
        assert.equal(late.status, 503);
        if (Date.now() - asked >= 250) slow++;
        const said = await late.json();
        assert.ok(said.unreachableMs >= Date.now() - started - 50, "counted from the first");
        await new Promise((resolve) => setTimeout(resolve, 60));
      }
      assert.equal(heads - after, 2 * pair, "two fresh reads beside the stuck one, no more");
      assert.equal(slow, 2, "only the requests that read afresh waited for the deadline");
      gate = undefined;
      release();
      // Once that read ends, the next one reads afresh.
      await until(async () => (await overview()).status === 200, "answers once the store does");
    } finally {
      release();
      await handler.close();
    }
  });

  it("takes one sample at a time while the store hangs, logs the failure once, and says when it works again", async () => {
    const store = createMemoryStore();
    let calls = 0;
    let hanging = 0;
    let mostHanging = 0;
    let mode: "hang" | "fail" | "work" = "hang";
    let release: () => void = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    const flaky: EventStore = Object.assign(Object.create(store), {
      headPosition: async () => {
        calls++;
        if (mode === "hang") {
          hanging++;
          mostHanging = Math.max(mostHanging, hanging);
          await released;
          hanging--;
        }
        if (mode !== "work") {
          throw new StoreUnavailableError("headPosition", "connect ECONNREFUSED");
        }
        return await store.headPosition();
      },
    });
    const logger = keptLogger();
    const handler = createAdminHandler({
      store: flaky,
      storage: createMemoryConsumerStorage(),
      auth: AUTH,
      logger,
      sampleInterval: 10,
    });
    try {
      // The first API call starts the sampler; the session route reads nothing itself.
      await handler.fetch(new Request("http://127.0.0.1/api/session", { headers: OPERATOR }));
      await new Promise((resolve) => setTimeout(resolve, 300));
      assert.equal(mostHanging, 1, `${mostHanging} samples waited on the store at once`);
      mode = "fail";
      release();
      await until(() => calls >= 5, "samples failing");
      const failing = logger.lines.filter((l) => l.message === "Console sample failed; retrying");
      assert.equal(failing.length, 1, "an outage is logged once, not every interval");
      assert.equal(failing[0].level, "warn");
      assert.ok(failing[0].fields?.error instanceof StoreUnavailableError);
      mode = "work";
      await until(
        () => logger.lines.some((l) => l.message === "Console sample works again"),
        "the recovery logged",
      );
      const again = logger.lines.find((l) => l.message === "Console sample works again");
      assert.equal(again?.level, "info");
      assert.ok(
        typeof again?.fields?.downMs === "number" && again.fields.downMs >= 0,
        "with downMs",
      );
    } finally {
      await handler.close();
    }
  });
});
