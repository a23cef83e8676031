// The bus patterns over HTTP to a store-backed transport on PGlite: a real
// node:http server on 127.0.0.1 runs createHttpHandler over the transport,
// and event streams read the same store from the client's position
// (`events: store`). The client keeps its checkpoints in a memory storage
// shared by both client instances, so a restarted client resumes.
import { after, before, describe } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { createMemoryConsumerStorage } from "../../stores/memory/mod.ts";
import { createPGliteConsumerStorage, createPGliteStore } from "../../stores/postgres/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { CONSUMER_TABLES } from "../consumers/_postgres_consumer_fixtures.ts";
import { silentLogger } from "../../core/mod.ts";
import { ALL_EVENTS, overHttp, startHttpServer, TOKEN } from "./_http_fixture.ts";
import { testBusPatterns } from "./_bus_suite.ts";

describe("messaging over HTTP to PGlite", () => {
  let pg: PGlite;

  before(async () => {
    pg = await PGlite.create();
    await createPGliteStore(pg, { schema: "messaging" }).migrate();
  });

  after(async () => {
    await pg.close();
  });

  testBusPatterns({
    name: "HTTP to a store-backed transport on PGlite",
    create: async () => {
      await pg.exec(
        `TRUNCATE messaging.messages, ${CONSUMER_TABLES("messaging")} RESTART IDENTITY`,
      );
      const store = createPGliteStore(pg, { schema: "messaging", pollInterval: 100 });
      const inner = createStoreBackedTransport(store, {
        storage: createPGliteConsumerStorage(pg, { schema: "messaging" }),
        retry: { initialDelay: 5 },
      });
      const server = await startHttpServer(
        createHttpHandler({
          transport: inner,
          auth: { hmac: { secret: TOKEN }, allow: ALL_EVENTS },
          events: store,
          logger: silentLogger,
        }),
      );
      const storage = createMemoryConsumerStorage();
      const client = () =>
        createHttpTransport({
          url: server.url,
          auth: { hmac: { secret: TOKEN } },
          storage,
          reconnect: { initialDelay: 10 },
        });
      return {
        transport: overHttp(inner, client(), async () => {
          await server.close();
          await inner.close();
          await store.close();
        }),
        reopen: () => overHttp(inner, client()),
      };
    },
    durableCheckpoints: true,
    results: { commands: "json", queries: "json" },
    propertyRuns: 8,
    handlerErrorsMasked: true,
  });
});
