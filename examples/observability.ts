import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  createBus,
  createConsumer,
  createMemoryConsumerStorage,
  createMemoryStore,
} from "../mod.ts";
import { openTelemetry } from "../opentelemetry/mod.ts";
import { createStoreBackedTransport } from "../transports/store_backed.ts";

// The SDK (here recording in memory; a deployment exports over OTLP), then ordo given it:
// the store reports, and the transport, the bus and consumers built on it inherit it.
const spans = new InMemorySpanExporter();
const telemetry = openTelemetry({
  tracerProvider: new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] }),
});
const store = createMemoryStore({ telemetry });
const storage = createMemoryConsumerStorage();
const bus = createBus({
  transport: createStoreBackedTransport(store, { storage }),
  name: "orders",
});

// A handler passes the context it is given to what it appends and sends: one trace.
await bus.handleCommand("orders/place", async (command, context) => {
  const { orderId } = command.data as { orderId: string };
  await store.append(`order-${orderId}`, [{ type: "OrderPlaced", data: { total: 3 } }], {
    trace: context.trace,
  });
}).ready;

// A projection, and reading one's own write: wait for its consumer to reach the append.
let revenue = 0;
const totals = createConsumer(store, {
  group: "totals",
  source: { category: "order" },
  storage,
  handler: (message) => {
    revenue += (message.data as { total: number }).total;
  },
});
await bus.sendAndWait({ type: "orders/place", data: { orderId: "1" } }, { timeout: 5_000 });
const { globalPosition } = await store.append("order-2", [{
  type: "OrderPlaced",
  data: { total: 4 },
}]);
await totals.waitFor(globalPosition, { timeout: 2_000 }); // a TimeoutError after 2 s
console.log(`revenue: ${revenue}`); // revenue: 7

// The status API needs no OpenTelemetry: plain data, for a console or a health check.
const status = await totals.status();
console.log(status.state, status.lag, status.parked); // live 0 0

const names = spans.getFinishedSpans().map((span) => span.name);
console.log(names.includes("send orders/place"), names.includes("process orders/place")); // true true
await totals.stop();
await bus.close();
