// `npm run demo -- --console`: after the flow, the demo keeps its services
// running and serves ordo's console for their store on 127.0.0.1, with a
// fresh operator token, until Ctrl-C.
import { createServer } from "node:http";
import process from "node:process";
import type { ConsumerStorage, EventStore } from "../mod.ts";
import { createAdminHandler } from "../admin/mod.ts";
import { createNodeRequestListener } from "../transports/http/server/node_adapter.ts";

/**
 * Serves the console until Ctrl-C; `PORT` picks the port (default: a free one).
 * `schema`, on a PostgreSQL server, is named in the hint for the command line.
 */
export async function serveConsole(
  store: EventStore,
  storage: ConsumerStorage<unknown>,
  schema?: string,
): Promise<void> {
  const token = crypto.randomUUID();
  const handler = createAdminHandler({ store, storage, auth: { operator: { bearer: token } } });
  const server = createServer(createNodeRequestListener(handler));
  await new Promise<void>((resolve) =>
    server.listen(Number(process.env.PORT ?? 0), "127.0.0.1", resolve)
  );
  const { port } = server.address() as { port: number };
  console.log(`\nconsole: http://127.0.0.1:${port}/`);
  console.log(`  log in with the operator token ${token}`);
  if (schema !== undefined) {
    console.log(`  the command line sees it too: npx ordo consumers --schema ${schema}`);
  }
  console.log("  Ctrl-C stops the demo.");
  await new Promise<void>((resolve) => process.once("SIGINT", () => resolve()));
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeAllConnections?.();
  await closed;
  await handler.close();
}
