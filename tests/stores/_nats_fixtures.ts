// Shared set-up for tests over NATS: a connection to this process's
// nats-server (useNats), and stores that each get streams of their own
// (deleted when the store is closed), so every test and property run starts empty.
import { after, before } from "node:test";
import { connect, headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { silentLogger } from "../../core/mod.ts";
import { createNatsStore, type NatsEventStore } from "../../stores/nats/mod.ts";
import type { CreateNatsStoreOptions } from "../../stores/nats/mod.ts";
import { JetStreamApi } from "../../stores/nats/jetstream/mod.ts";
import { type NatsServer, startNats, startPrivateNats } from "../_nats_server.ts";

const run = crypto.randomUUID().slice(0, 6);
let count = 0;

/** A unique stream name and subject prefix for one store. */
export function freshNames(): { stream: string; subjectPrefix: string } {
  const n = count++;
  return { stream: `T${run}_${n}`, subjectPrefix: `t${run}_${n}` };
}

/** Connects to `urls` with reconnects on, as a service would. */
export async function connectNats(urls: readonly string[]): Promise<NatsConnection> {
  return await connect({ servers: [...urls], maxReconnectAttempts: -1, reconnectTimeWait: 100 });
}

/** Deletes streams by name, ignoring those already gone. */
export async function deleteStreams(nc: NatsConnection, names: readonly string[]): Promise<void> {
  const api = new JetStreamApi({ connection: nc, headers });
  await Promise.all(names.map((name) => api.deleteStream(name).catch(() => {})));
  api.close();
}

/**
 * A new store over fresh streams, set up; closing it deletes its streams
 * (unless `keep`).
 */
export async function freshStore(
  nc: NatsConnection,
  options: Partial<CreateNatsStoreOptions> & { keep?: boolean } = {},
): Promise<NatsEventStore> {
  const { keep, ...storeOptions } = options;
  // Silent unless a test asks: what is built on it (consumers whose handlers
  // fail on purpose) inherits the store's logger.
  const store = createNatsStore(nc, {
    headers,
    logger: silentLogger,
    ...freshNames(),
    ...storeOptions,
  });
  await store.setup();
  if (keep) return store;
  const close = store.close.bind(store);
  Object.defineProperty(store, "close", {
    value: async () => {
      await close();
      await deleteStreams(nc, [store.stream, `${store.stream}_IDS`]);
    },
  });
  return store;
}

/** What a describe body gets from {@link useNats}, usable once its before() hook ran. */
export interface NatsFixture {
  /** A connection to this process's nats-server, closed at teardown. */
  readonly nc: NatsConnection;
}

/**
 * Starts (or joins) this process's nats-server for the enclosing describe and
 * connects to it, in a before() hook; closes the connection and lets the
 * server go in an after() hook. Both are registered where it is called, in
 * the describe body (hooks registered there run in that order on Deno, Bun
 * and Node alike).
 *
 * @example
 * ```ts ignore
 * describe("my NATS tests", () => {
 *   const nats = useNats();
 *   it("appends", async () => {
 *     const store = await freshStore(nats.nc);
 *   });
 * });
 * ```
 */
export function useNats(): NatsFixture {
  let server: Awaited<ReturnType<typeof startNats>> | undefined;
  let nc: NatsConnection | undefined;
  before(async () => {
    server = await startNats();
    nc = await connectNats(server.urls);
  });
  after(async () => {
    await nc?.close();
    await server?.release();
  });
  return {
    get nc(): NatsConnection {
      if (nc === undefined) {
        throw new Error("useNats(): the connection is made in its before() hook");
      }
      return nc;
    },
  };
}

/** What a describe body gets from {@link usePrivateNats}, usable once its before() hook ran. */
export interface PrivateNatsFixture extends NatsFixture {
  /** The node of its own, to kill and start again. */
  readonly server: NatsServer;
}

/**
 * A nats-server of the enclosing describe's own (to stop under what runs on
 * it, or to hold the default names alone) and a connection to it, made in a
 * before() hook; closed and stopped in an after() hook.
 */
export function usePrivateNats(): PrivateNatsFixture {
  let server: NatsServer | undefined;
  let nc: NatsConnection | undefined;
  before(async () => {
    server = await startPrivateNats();
    nc = await connectNats(server.urls);
  });
  after(async () => {
    await nc?.close().catch(() => {});
    await server?.stop();
  });
  const made = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error("usePrivateNats(): made in its before() hook");
    return value;
  };
  return {
    get nc() {
      return made(nc);
    },
    get server() {
      return made(server);
    },
  };
}
