/**
 * Opening a NATS JetStream store for a command: `--url nats://host:4222`
 * (several servers comma-separated), the store and its consumer storage with
 * their default names (stream `ORDO`, bucket `ordo_consumers`). Connecting
 * checks that a server answers and that the store was set up, so that either
 * is said plainly before any command runs.
 *
 * @module
 */

import type { ConsumerStorage, Logger } from "../core/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../stores/nats/mod.ts";
import type { Connection } from "./_connection.ts";
import { loadNats } from "./_drivers.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import type { CliIo } from "./_io.ts";

// How long connecting may take before the command line says so.
const CONNECT_MS = 10_000;
// JetStream's error code for a stream that does not exist.
const STREAM_NOT_FOUND = 10059;

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
 * Connects to NATS and opens the store. Only a command that `creates`
 * (migrate, which sets the store up) may find the store's stream missing.
 */
export async function openNats(
  url: string,
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
  const store = createNatsStore(nc, { headers, logger });
  const storage = createNatsConsumerStorage(nc, { headers, logger });
  const close = async () => {
    await store.close();
    storage.close();
    await nc.close();
  };
  if (!creates) {
    try {
      await Promise.all([store.headPosition(), storage.control.groups()]);
    } catch (error) {
      await close();
      if (io.signal.aborted) throw new CliFailure(`Stopped while connecting to ${where}`);
      if ((error as { errCode?: unknown }).errCode === STREAM_NOT_FOUND) {
        throw new CliFailure(
          `No ordo store on NATS at ${where}: its streams do not exist: run ordo migrate --url ${where}`,
          { cause: error },
        );
      }
      throw error;
    }
  }
  return {
    kind: "nats",
    store,
    storage: storage as ConsumerStorage<unknown>,
    query: () =>
      Promise.reject(new CliFailure("This store is on NATS: there is no SQL database to query")),
    migrate: async () => {
      await store.setup();
      await storage.setup();
    },
    schema: store.stream,
    where: `NATS ${where}`,
    close,
  };
}
