// Set-up shared by the NATS transport tests: a store, parked storage and
// transport names of their own per test, and transports over them on any
// connection (one per simulated process).
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { silentLogger } from "../../core/mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import type { CreateNatsTransportOptions, NatsTransport } from "../../transports/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { freshNames } from "../stores/_nats_fixtures.ts";

/** Names for one test's store, storage and transport; `transport(nc)` makes one more process. */
export async function busWorld(
  setupConnection: NatsConnection,
  extra: Partial<CreateNatsTransportOptions> = {},
): Promise<{ transport(nc: NatsConnection): Promise<NatsTransport> }> {
  const names = freshNames();
  // Silent: handlers fail on purpose, and the transport inherits the store's logger.
  const storeOf = (nc: NatsConnection) =>
    createNatsStore(nc, { headers, logger: silentLogger, ...names });
  await storeOf(setupConnection).setup();
  // Silent too: a test of a lost connection hears it from the transport's logger.
  const storageOf = (nc: NatsConnection) =>
    createNatsConsumerStorage(nc, {
      headers,
      logger: silentLogger,
      bucket: `parked_${names.subjectPrefix}`,
    });
  await storageOf(setupConnection).setup();
  const options = {
    subjectPrefix: `bus_${names.subjectPrefix}`,
    commandStream: `${names.stream}_CMD`,
    ledgerBucket: `ledger_${names.subjectPrefix}`,
    retry: { initialDelay: 5 },
    ...extra,
  };
  await createNatsTransport(setupConnection, {
    headers,
    store: storeOf(setupConnection),
    ...options,
  })
    .setup();
  return {
    transport: async (nc) =>
      createNatsTransport(nc, { headers, store: storeOf(nc), storage: storageOf(nc), ...options }),
  };
}
