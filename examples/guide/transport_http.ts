import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createBus, createInProcessTransport, type MessageTypes, OrdoError } from "../../mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";

type Orders = MessageTypes<{
  commands: { type: "orders/place"; data: { orderId: string } };
  queries: { type: "orders/show"; data: { orderId: string } };
}>;

// The orders service: handlers on a transport of its own, served over HTTP
// (a Web Request -> Response handler; node:http here, or Deno.serve, Bun.serve, workerd).
const inner = createInProcessTransport();
const orders = createBus<Orders>({ transport: inner });
orders.handleCommand("orders/place", (command) => ({ placed: command.data.orderId }));
orders.handleQuery("orders/show", (payload) => ({ orderId: payload.orderId, status: "placed" }));
const handler = createHttpHandler({ transport: inner, auth: { bearer: "s3cret-0123456789ab" } });
const server = createServer(createNodeRequestListener(handler));
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

// Another service calls it with the same bus API, over HTTP.
const shop = createBus<Orders>({
  transport: createHttpTransport({ url, auth: { bearer: "s3cret-0123456789ab" } }),
});
const placed = await shop.sendAndWait({ type: "orders/place", data: { orderId: "A1" } });
console.log(JSON.stringify(placed)); // {"placed":"A1"}
console.log(JSON.stringify(await shop.query("orders/show", { orderId: "A1" }))); // {"orderId":"A1","status":"placed"}

const stranger = createBus({ transport: createHttpTransport({ url, auth: { bearer: "guess" } }) });
try {
  await stranger.query("orders/show", { orderId: "A1" });
} catch (error) {
  if (error instanceof OrdoError) console.log(error._tag); // UnauthenticatedError
}

// Shutting down: the clients; the handler first on the server (it answers new requests 503,
// "shutting down", which clients retry elsewhere, and waits for those in flight); then its bus,
// then the listener.
await Promise.all([shop.close(), stranger.close()]);
await handler.close();
await orders.close();
await new Promise((resolve) => server.close(resolve));
