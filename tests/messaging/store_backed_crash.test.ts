// The store-backed command loop across crashes of the receiving process: a
// command whose handler fails is parked once and its waiting sender gets the
// error, whichever step a crash interrupts (storing the parked entry, writing
// the failure reply, committing the checkpoint). Run over the memory store and
// over PGlite.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import type { ConsumerStorage, EventStore } from "../../core/mod.ts";
import { createBus } from "../../core/messaging/mod.ts";
import { silentLogger } from "../../core/mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { CONSUMER_TABLES } from "../consumers/_postgres_consumer_fixtures.ts";
import { until } from "../contract/_consumer_fixtures.ts";

const GROUP = "ordo:command:users/lock";

/** Where the receiver crashes: before storing the entry, before or after writing the reply, before the commit. */
type CrashStep = "park" | "reply-before" | "reply-after" | "commit";

/** The receiving process: its store and storage, wrapped to crash once at `step`. */
function crashOnce(
  store: EventStore,
  storage: ConsumerStorage<unknown>,
  step: CrashStep,
  onCrash: () => void,
) {
  let armed = true;
  const crash = (at: CrashStep) => {
    if (!armed || at !== step) return;
    armed = false;
    onCrash();
    throw new Error(`simulated crash at ${step}`);
  };
  const crashingStore = new Proxy(store, {
    get(target, property) {
      if (property === "append") {
        return async (...args: Parameters<EventStore["append"]>) => {
          const isReply = args[0].includes(":reply-");
          if (isReply) crash("reply-before");
          const result = await target.append(...args);
          if (isReply) crash("reply-after");
          return result;
        };
      }
      const value = Reflect.get(target, property);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  const { parked, checkpoints } = storage;
  const crashingStorage: ConsumerStorage<unknown> = {
    ...storage,
    parked: {
      park: async (entry, options) => {
        crash("park");
        await parked.park(entry, options);
      },
      list: (group, options) => parked.list(group, options),
      get: (group, id) => parked.get(group, id),
      remove: (group, id, options) => parked.remove(group, id, options),
    },
    checkpoints: {
      load: (group, partition) => checkpoints.load(group, partition),
      reset: (group) => checkpoints.reset(group),
      commit: async (update, work) => {
        if (update.group === GROUP && update.position !== undefined) crash("commit");
        return await checkpoints.commit(update, work);
      },
    },
  };
  return { store: crashingStore, storage: crashingStorage };
}

interface Rig {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
}

function testCrashes(name: string, rig: () => Promise<Rig>): void {
  describe(`store-backed commands across crashes, ${name}`, () => {
    for (const step of ["park", "reply-before", "reply-after", "commit"] as const) {
      it(`a failing command with a crash at "${step}" is parked once and its waiting sender gets the error`, async () => {
        const { store, storage } = await rig();
        let crashed!: () => void;
        const crash = new Promise<void>((resolve) => (crashed = resolve));
        const receiving = crashOnce(store, storage, step, () => crashed());
        const receiver = () => {
          const bus = createBus({
            transport: createStoreBackedTransport(receiving.store, {
              storage: receiving.storage,
              retry: { initialDelay: 1 },
            }),
          });
          bus.handleCommand("users/lock", () => {
            throw new RangeError("user u-1 is already locked");
          }, { retry: { maxAttempts: 1 } });
          return bus;
        };
        const sender = createBus({
          transport: createStoreBackedTransport(store, { storage: createMemoryConsumerStorage() }),
        });
        const first = receiver();
        const answer = sender.sendAndWait({ type: "users/lock", data: {} }, { timeout: 10_000 });
        answer.catch(() => {});
        await crash;
        await first.close(); // the process is gone; the next one starts from the stored state
        const second = receiver();
        try {
          await assert.rejects(
            answer,
            (e: Error) => e.name === "RangeError" && /already locked/.test(e.message),
          );
          const [command] = await store.readCategory("users:command").toArray();
          await until(
            async () => (await storage.checkpoints.load(GROUP, 0)) === command.globalPosition + 1n,
            "the checkpoint past the command",
          );
          const parked = await storage.parked.list(GROUP);
          assert.deepEqual(parked.map((e) => [e.message.id, e.error.name]), [
            [command.id, "RangeError"],
          ]);
        } finally {
          await second.close();
          await sender.close();
          await store.close();
        }
      });
    }
  });
}

testCrashes("on the memory store", async () => ({
  store: createMemoryStore({ logger: silentLogger }),
  storage: createMemoryConsumerStorage(),
}));

describe("on PGlite", () => {
  let pg: PGlite;
  before(async () => {
    pg = await PGlite.create();
    await createPGliteStore(pg, { schema: "crashes" }).migrate();
  });
  after(async () => {
    await pg.close();
  });
  testCrashes("on PGlite", async () => {
    await pg.exec(`TRUNCATE crashes.messages, ${CONSUMER_TABLES("crashes")} RESTART IDENTITY`);
    return {
      store: createPGliteStore(pg, { schema: "crashes", pollInterval: 100, logger: silentLogger }),
      storage: createPGliteConsumerStorage(pg, { schema: "crashes" }),
    };
  });
});
