// A Cloudflare Workers module that http_edge.test.ts builds to JavaScript and
// runs in workerd: an in-process bus whose command and query handlers keep
// accounts in the memory store, exposed with createHttpHandler behind a
// bearer token. Web-standard APIs only, as in any edge isolate.
//
// State lives at module scope, so it lasts as long as the isolate; every
// handler finishes inside the request that runs it (the in-process transport
// calls handlers directly), which is what workerd requires of I/O.
import { createBus } from "../../core/messaging/mod.ts";
import { createMemoryStore } from "../../stores/memory/mod.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";

// The token the test calls with. Not exported: workerd reads every named
// export of the main module as an entry point and refuses other values.
const EDGE_TOKEN = "edge-token-0123456789";

const store = createMemoryStore();
const transport = createInProcessTransport();
const bus = createBus({ transport });

bus.handleCommand("accounts/open", async (command) => {
  const { accountId, owner } = command.data as { accountId: string; owner: string };
  // A second opening of one account is refused by the store: a ConcurrencyError, answered with 409.
  const result = await store.append(`account-${accountId}`, [{
    id: command.id,
    type: "AccountOpened",
    data: { owner },
  }], { expectedVersion: "no-stream" });
  return { accountId, position: String(result.globalPosition) };
});

bus.handleCommand("accounts/close", () => {
  throw new RangeError("accounts cannot be closed at the edge");
});

bus.handleQuery("accounts/show", async (payload) => {
  const { accountId } = payload as { accountId: string };
  const events = await store.readStream(`account-${accountId}`);
  if (events.length === 0) return null;
  return {
    accountId,
    owner: (events[0].data as { owner: string }).owner,
    version: events.length - 1,
  };
});

const handler = createHttpHandler({
  transport,
  auth: { bearer: EDGE_TOKEN, allow: { subscribe: ["*"], publish: ["*"] } },
  basePath: "/ordo",
});

/** workerd's module worker entry: a default export with `fetch` (the platform's contract, not ordo style). */
export default {
  fetch: (request: Request): Promise<Response> => handler.fetch(request),
};
