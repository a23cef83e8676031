// The orders service, run on Deno:
//   DATABASE_URL=postgres://… (or NATS_URL=nats://…) ORDERS_TOKEN=dev-orders-token-0001 deno run -A examples/ecommerce/orders.ts
// Handles the command `orders/place` (appends to the order's stream and
// publishes `orders/placed`) and the query `orders/show`, and follows
// `inventory/reserved` to mark orders reserved. Serves its commands and
// queries over HTTP with ordo's HTTP transport (bearer token ORDERS_TOKEN) on
// ORDERS_HOST:ORDERS_PORT (default 127.0.0.1:8080; 0 picks a free port).
// Prints "orders     ready on http://…" once it listens and has caught up;
// stops on SIGTERM or Ctrl-C.
import { createBus } from "../../mod.ts";
import { optional, readShopSettings, required, wholeNumber } from "./_env.ts";
import { serveOnDeno } from "./_deno_serve.ts";
import { onShutdown } from "./_shutdown.ts";
import { shopTelemetry } from "./_telemetry.ts";
import { tracerFor } from "./_trace.ts";
import { connectShop } from "./connect.ts";
import { ordersContracts } from "./contracts.ts";
import { createOrdersHttpFront } from "./orders_http.ts";
import { startOrdersService } from "./orders_service.ts";

const trace = tracerFor("orders");
const settings = readShopSettings();
const token = required("ORDERS_TOKEN");
const port = wholeNumber("ORDERS_PORT", 8080);
const hostname = optional("ORDERS_HOST") ?? "127.0.0.1";
const shop = await connectShop("orders", settings, shopTelemetry("orders"));
const transport = await shop.transport((error) => trace(`transport error: ${error}`));
const bus = createBus({ transport, contracts: ordersContracts, name: "orders" });
const registrations = startOrdersService(bus, shop.store, trace);
const front = createOrdersHttpFront(transport, { token });
const server = await serveOnDeno(front.fetch, { port, hostname });
onShutdown("orders", async () => {
  await front.close(); // open event streams would keep the server from shutting down
  await server.shutdown();
  await bus.close();
  await shop.close();
});
await Promise.all(registrations.map((registration) => registration.ready));
trace(`ready on http://${hostname}:${server.port} (store schema ${settings.schema})`);
