/**
 * Opening a NATS JetStream store for a command: `--url nats://host:4222`
 * (several servers comma-separated), the store and its consumer storage with
 * the names `--stream`, `--subject-prefix` and `--bucket` give
 * (`_nats_names.ts`; by default `ORDO`, `ordo`, `ordo_consumers`). Connecting
 * checks that a server answers and that the store was set up under those
 * names (`_nats_store_check.ts`), so that either is said plainly before any
 * command runs.
 *
 * @module
 */

import type { ConsumerStorage, Logger } from "../core/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../stores/nats/mod.ts";
import { JetStreamApi } from "../stores/nats/jetstream/mod.ts";
import type { Connection } from "./_connection.ts";
import { loadNats } from "./_drivers.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import type { CliIo } from "./_io.ts";
import type { NatsNames } from "./_nats_names.ts";
import { checkNatsStore, migrateRefusal } from "./_nats_store_check.ts";
import { listNatsEventGroups } from "../transports/nats/mod.ts";
import type { SeenStream } from "./_nats_streams.ts";

// How long connecting may take before the command line says so.
const CONNECT_MS = 10_000;

/** Whether `url` names NATS servers rather than PostgreSQL. */
export function isNatsUrl(url: string): boolean {
  return /^(nats|tls):\/\//i.test(url.trim());
}

/** The servers of a `--url`, and the same without passwords, for messages. */
function serversOf(url: string): { servers: string[]; where: string } {
  const servers = url.split(",").map((s) => s.trim()).filter((s) => s !== "");
  const shown = servers.map((server) => {
    try {
      const parsed = new URL(server);
      if (parsed.password !== "") parsed.password = "***";
      return parsed.toString().replace(/\/$/, "");
    } catch {
      throw new CliUsageError(`Invalid --url "${server}": expected nats://host:4222`);
    }
  });
  return { servers, where: shown.join(",") };
}

/**
 * What migrate keeps of a store and bucket set up before (as the checks read
 * them): their `setup()` updates the streams to the options' replicas and
 * duplicate window, which the command line has no flags for, so that an R3
 * store would become R1.
 */
function keptSettings(seen: { readonly stream?: SeenStream; readonly bucket?: SeenStream }) {
  const { stream, bucket } = seen;
  return {
    store: stream === undefined ? {} : {
      replicas: stream.replicas,
      ...(stream.duplicateWindow > 0 ? { duplicateWindow: stream.duplicateWindow } : {}),
    },
    storage: bucket === undefined ? {} : { replicas: bucket.replicas },
  };
}

/**
 * Connects to NATS and opens the store `names` name. Only a command that
 * `creates` (migrate, which sets the store up) may find the store's stream
 * or bucket missing.
 */
export async function openNats(
  url: string,
  names: NatsNames,
  io: CliIo,
  logger: Logger,
  creates: boolean,
): Promise<Connection> {
  const { servers, where } = serversOf(url);
  const { connect, headers } = await loadNats();
  let nc: Awaited<ReturnType<typeof connect>>;
  try {
    // Reconnects for as long as the command runs: `tail` goes on after a restart.
    nc = await connect({ servers, timeout: CONNECT_MS, maxReconnectAttempts: -1 });
  } catch (error) {
    throw new CliFailure(
      `Cannot reach NATS at ${where}: ${
        (error as Error).message
      }: check --url, and that the server is running with JetStream`,
      { cause: error },
    );
  }
  // The checks' own API: the store and storage make theirs when created.
  const api = new JetStreamApi({ connection: nc, headers });
  let kept: ReturnType<typeof keptSettings>;
  try {
    kept = keptSettings(await checkNatsStore(api, names, where, creates));
  } catch (error) {
    await nc.close();
    if (io.signal.aborted) throw new CliFailure(`Stopped while connecting to ${where}`);
    throw error;
  } finally {
    api.close();
  }
  const { stream, subjectPrefix, bucket } = names;
  const store = createNatsStore(nc, { headers, logger, stream, subjectPrefix, ...kept.store });
  const storage = createNatsConsumerStorage(nc, { headers, logger, bucket, ...kept.storage });
  const close = async () => {
    await store.close();
    storage.close();
    await nc.close();
  };
  return {
    kind: "nats",
    store,
    storage: storage as ConsumerStorage<unknown>,
    // The transport's event groups, read from their durable consumers when a command lists groups.
    natsEventGroups: () => listNatsEventGroups(nc, { headers, stream, subjectPrefix }),
    query: () =>
      Promise.reject(new CliFailure("This store is on NATS: there is no SQL database to query")),
    migrate: async () => {
      await store.setup().catch((error) => Promise.reject(migrateRefusal(error)));
      await storage.setup();
    },
    schema: store.stream,
    nats: { subjectPrefix, bucket },
    where: `NATS ${where}`,
    close,
  };
}
