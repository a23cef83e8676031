// The orders service's HTTP front: a health route for supervisors and tests,
// and everything else handed to ordo's HTTP transport handler, which serves
// the commands and queries registered on the service's store-backed transport.
import type { Transport } from "../../mod.ts";
import { createHttpHandler } from "../../transports/http/mod.ts";
import { checkedTransport } from "./_checked_transport.ts";
import { ordersContracts } from "./contracts.ts";

/** The route that answers 200 without authentication once the service is up. */
export const HEALTH_PATH = "/health";

/** The orders service's `Request -> Response` handler, and how to end its open event streams. */
export interface OrdersHttpFront {
  readonly fetch: (request: Request) => Promise<Response>;
  close(): Promise<void>;
}

/**
 * Builds the HTTP front over the service's store-backed `transport`.
 *
 * Only the orders service's own command and query are reachable: the inner
 * transport would append any command or event to the shared store, and a
 * token for orders should not let its holder lock users or publish
 * `orders/placed` for an order that was never placed. So the handler's allow
 * list names them (any other name is 404), and the event routes (`/events`,
 * `/events/stream`) are refused with 403: the token is given no event
 * permissions, and event routes are denied unless allowed. Commands and
 * queries are checked against the contracts before they reach the store
 * (400 otherwise).
 */
export function createOrdersHttpFront(
  transport: Transport,
  options: { token: string },
): OrdersHttpFront {
  const ordo = createHttpHandler({
    transport: checkedTransport(transport, ordersContracts),
    auth: { bearer: options.token },
    allow: { commands: ["orders/place"], queries: ["orders/show"] },
  });
  return {
    fetch: (request) => {
      const { pathname } = new URL(request.url);
      if (request.method === "GET" && pathname === HEALTH_PATH) {
        return Promise.resolve(Response.json({ service: "orders", ok: true }));
      }
      return ordo.fetch(request);
    },
    close: () => ordo.close(),
  };
}
