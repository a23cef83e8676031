// Nothing silent, for the stores: a PostgreSQL store that cannot LISTEN
// says once that it polls meanwhile (and once that it listens again), and an
// EventStoreDB store says when its live subscription drops and is opened
// again. What is built on a store inherits its logger.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createConsoleLogger, type Logger } from "../../mod.ts";
import {
  createStoreOverDriver,
  pgliteDriver,
  type PostgresDriver,
} from "../../stores/postgres/mod.ts";
import { createEventStoreDbStore, type EventStoreDbClient } from "../../stores/eventstoredb/mod.ts";
import { until } from "../_until.ts";

function recording(): { logger: Logger; lines: string[] } {
  const lines: string[] = [];
  return { lines, logger: createConsoleLogger({ write: (line) => void lines.push(line) }) };
}

describe("store logging", () => {
  let pg: PGlite;
  before(async () => {
    pg = await PGlite.create();
  });
  after(async () => {
    await pg.close();
  });

  it("a PostgreSQL store that cannot LISTEN logs it once, polls meanwhile, and logs when it listens again", async () => {
    const inner = pgliteDriver(pg);
    let refuse = 3;
    const driver: PostgresDriver = {
      ...inner,
      listen: (channel, onNotify, onListen) =>
        refuse-- > 0
          ? Promise.reject(new Error("LISTEN refused"))
          : inner.listen(channel, onNotify, onListen),
    };
    const { logger, lines } = recording();
    const store = createStoreOverDriver(driver, { schema: "logged", pollInterval: 10, logger });
    await store.migrate();
    for (let i = 0; i < 4; i++) await store.waitForAppend(0n, { timeout: 15 });
    await until(() => lines.length === 2, "the line saying it listens again");
    assert.deepEqual(lines.map((line) => line.replace(/downMs=\d+$/, "downMs=N")), [
      'ordo warn: Store cannot listen for appends; polling until it can schema="logged" error="Error: LISTEN refused"',
      'ordo info: Store listening again schema="logged" downMs=N',
    ]);
    await store.close();
  });

  it("an EventStoreDB store logs a dropped live subscription it opens again", async () => {
    const listeners = new Map<string, (() => void)[]>();
    const client: EventStoreDbClient = {
      appendToStream: () => Promise.reject(new Error("not used")),
      readStream: () => (async function* () {})(),
      readAll: () => (async function* () {})(),
      subscribeToAll: () => ({
        on: (event: string, listener: (...args: never[]) => void) => {
          listeners.set(event, [...(listeners.get(event) ?? []), listener as () => void]);
          return undefined;
        },
        unsubscribe: () => Promise.resolve(),
      }),
    };
    const { logger, lines } = recording();
    const store = createEventStoreDbStore(client, {
      unsupportedRuntime: "allow",
      resubscribeDelay: 5,
      logger,
    });
    const waiting = store.waitForAppend(0n, { timeout: 2_000 });
    await until(() => listeners.has("end"), "the subscription");
    for (const end of listeners.get("end")!) end();
    await until(() => lines.length > 0, "the line");
    assert.deepEqual(lines, [
      'ordo warn: Store subscription to $all failed; subscribing again retryInMs=5 error="the server ended it"',
    ]);
    await store.close();
    assert.equal(await waiting, false);
  });
});
