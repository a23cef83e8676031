// What both end-to-end runs of the shop (PostgreSQL and NATS) share: the
// three services and the token they start with, the orders they place, a
// poll for what the services do meanwhile, and the trace ids the services
// print beside what they did (ORDO_TRACES=stdout: "… [trace <32 hex>]").
import assert from "node:assert/strict";
import { STARTING_STOCK } from "../../examples/ecommerce/catalog.ts";
import type { PlaceOrder } from "../../examples/ecommerce/contracts.ts";
import type { Runtime } from "./_service_process.ts";

/** The orders service's bearer token in the tests. */
export const TOKEN = "e2e-orders-token";

/** The products, in the catalog's order. */
export const SKUS = Object.keys(STARTING_STOCK);

/** Each service's runtime and script: orders on Deno, inventory on Bun, users on Node. */
export const SERVICES = {
  users: { runtime: "node", script: "examples/ecommerce/users.ts" },
  orders: { runtime: "deno", script: "examples/ecommerce/orders.ts" },
  inventory: { runtime: "bun", script: "examples/ecommerce/inventory.ts" },
} as const satisfies Record<string, { runtime: Runtime; script: string }>;

/**
 * The `n`th `orders/place` command of a flow: a few products shared by many
 * orders, by users u1 to u`users`; its id is `prefix` and `n` in three digits.
 */
export function orderAt(n: number, users: number, prefix: string): PlaceOrder {
  const items: Record<string, number> = { [SKUS[n % SKUS.length]]: 1 + (n % 4) };
  if (n % 3 === 0) items[SKUS[(n + 2) % SKUS.length]] = 1 + (n % 2);
  return {
    orderId: `${prefix}${String(n).padStart(3, "0")}`,
    userId: `u${1 + (n % users)}`,
    items,
  };
}

/** The one trace id of the lines that contain `marker`; fails unless there is exactly one. */
export function traceOf(lines: readonly string[], marker: string): string {
  const ids = new Set(
    lines.filter((line) => line.includes(marker)).map((line) =>
      /\[trace ([0-9a-f]{32})\]/.exec(line)?.[1]
    ),
  );
  assert.equal(ids.size, 1, `one trace id in the lines with "${marker}": ${[...ids]}`);
  return [...ids][0]!;
}
