// Buses with telemetry over each transport the trace tests cover: one
// harness records both ends. `client` makes the calls, `server` registers
// the handlers; in-process and store-backed they are one bus, over HTTP the
// client's transport is createHttpTransport whose fetch goes straight to the
// server's createHttpHandler (no socket: the headers are what matters).
import { type Bus, createBus, type Telemetry } from "../../mod.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";

/** The transports the trace tests run over. */
export type TransportKind = "in-process" | "store-backed" | "http";

/** Both ends of one service, and how to close them. */
export interface TracedBuses {
  readonly client: Bus;
  readonly server: Bus;
  close(): Promise<void>;
}

/** A client and a server bus over `kind`, both reporting to `telemetry`. */
export function tracedBuses(kind: TransportKind, telemetry: Telemetry): TracedBuses {
  if (kind === "in-process") {
    const bus = createBus({ transport: createInProcessTransport({ telemetry }), name: "shop" });
    return { client: bus, server: bus, close: () => bus.close() };
  }
  if (kind === "store-backed") {
    // The store has the telemetry; the transport and the bus inherit it.
    const store = createMemoryStore({ telemetry });
    const storage = createMemoryConsumerStorage();
    const bus = createBus({
      transport: createStoreBackedTransport(store, { storage }),
      name: "shop",
    });
    return { client: bus, server: bus, close: () => bus.close() };
  }
  const inner = createInProcessTransport({ telemetry });
  const server = createBus({ transport: inner, name: "orders" });
  const handler = createHttpHandler({ transport: inner, auth: { none: true } });
  const client = createBus({
    transport: createHttpTransport({
      url: "http://orders.internal",
      auth: { none: true },
      fetch: (url, init) => handler.fetch(new Request(url, init)),
      telemetry,
    }),
    name: "front",
  });
  return {
    client,
    server,
    close: async () => {
      await client.close();
      await handler.close();
      await server.close();
    },
  };
}
