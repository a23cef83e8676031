// Serves the HTTP handler with Deno.serve and calls it: a query answered at
// once, one answered later, a send and a query that fails. Prints one line
// per answer, so that the test can read what Deno wrote to stderr beside them.
import { createBus, createInProcessTransport, type Logger } from "../../mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { serveOnDeno } from "../../examples/ecommerce/_deno_serve.ts";

const quiet = () => {};
const logger: Logger = { debug: quiet, info: quiet, warn: quiet, error: quiet };
const inner = createInProcessTransport({ logger });
const bus = createBus({ transport: inner });
bus.handleQuery("orders/show", (payload) => ({ shown: payload }));
// Answers later: a transport that honours the call's signal would look at it for this one.
bus.handleQuery("orders/later", async (payload) => {
  await new Promise((resolve) => setTimeout(resolve, 5));
  return { later: payload };
});
bus.handleQuery("orders/broken", () => {
  throw new Error("broken on purpose");
});
bus.handleCommand("orders/place", () => ({ placed: true }));
const auth = { bearer: "child-token-000001" };
const handler = createHttpHandler({ transport: inner, auth, logger });
const server = await serveOnDeno(handler.fetch, { port: 0, hostname: "127.0.0.1" });
const client = createBus({
  transport: createHttpTransport({ url: `http://127.0.0.1:${server.port}`, auth }),
});
console.log("query", JSON.stringify(await client.query("orders/show", { id: 1 })));
console.log("later", JSON.stringify(await client.query("orders/later", { id: 2 })));
console.log("send", (await client.send({ type: "orders/place", data: {} })).deduplicated);
console.log("failed", await client.query("orders/broken", {}).catch((e) => e._tag));
await client.close();
await handler.close();
await bus.close();
await server.shutdown();
