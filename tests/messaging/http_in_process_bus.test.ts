// The bus patterns over HTTP: a real node:http server on 127.0.0.1 runs
// createHttpHandler over an in-process transport; the bus under test sends,
// queries, publishes and subscribes (Server-Sent Events) through
// createHttpTransport. Client checkpoints live in a storage both client
// instances share, so a restarted client resumes where the old one stopped.
import { createMemoryConsumerStorage } from "../../stores/memory/mod.ts";
import { createHttpHandler, createHttpTransport } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { silentLogger } from "../../core/mod.ts";
import { ALL_EVENTS, overHttp, startHttpServer, TOKEN } from "./_http_fixture.ts";
import { testBusPatterns } from "./_bus_suite.ts";

testBusPatterns({
  name: "HTTP to an in-process transport",
  create: async () => {
    const inner = createInProcessTransport();
    const server = await startHttpServer(
      createHttpHandler({
        transport: inner,
        auth: { bearer: TOKEN, allow: ALL_EVENTS },
        logger: silentLogger,
      }),
    );
    const storage = createMemoryConsumerStorage();
    const client = () =>
      createHttpTransport({
        url: server.url,
        auth: { bearer: TOKEN },
        storage,
        reconnect: { initialDelay: 10 },
      });
    return {
      transport: overHttp(inner, client(), async () => {
        await server.close();
        await inner.close();
      }),
      reopen: () => overHttp(inner, client()),
    };
  },
  durableCheckpoints: true,
  results: { commands: "json", queries: "json" },
  propertyRuns: 30,
  handlerErrorsMasked: true,
});
