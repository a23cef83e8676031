// Run by nats_connection_closed.test.ts in a child process: a store, a
// consumer following it live, and a bus on the NATS transport with a command
// handler, over a connection the application then closes without closing any
// of them. What they held must not keep the process alive, and what they log
// must name the real cause. Prints every log line, then "exited".
import process from "node:process";
import { connect, headers } from "@nats-io/transport-node";
import { createBus, createConsumer, type Logger } from "../../mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";

const line = (level: string) => (message: string) => console.log(`${level}: ${message}`);
const logger: Logger = {
  error: line("error"),
  warn: line("warn"),
  info: line("info"),
  debug: () => {},
};
const names = JSON.parse(process.env.ORDO_NAMES!) as { stream: string; subjectPrefix: string };
const nc = await connect({ servers: process.env.ORDO_NATS_URL! });
const store = createNatsStore(nc, { headers, logger, ...names });
const storage = createNatsConsumerStorage(nc, {
  headers,
  logger,
  bucket: `c_${names.subjectPrefix}`,
});
const transport = createNatsTransport(nc, {
  headers,
  store,
  storage,
  subjectPrefix: `bus_${names.subjectPrefix}`,
  commandStream: `${names.stream}_CMD`,
  ledgerBucket: `ledger_${names.subjectPrefix}`,
});
await store.setup();
await storage.setup();
await transport.setup();
const bus = createBus({ transport, logger });
await bus.handleCommand("orders/place", () => "placed").ready;
await bus.sendAndWait({ type: "orders/place", data: {} });
const consumer = createConsumer(store, {
  group: "totals",
  source: { category: "order" },
  storage,
  handler: () => {},
});
await consumer.caughtUp;
// Following live appends: a waiter parked on the store.
await new Promise((resolve) => setTimeout(resolve, 300));
await nc.close();
process.on("exit", () => console.log("exited"));
