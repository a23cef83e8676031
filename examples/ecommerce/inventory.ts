// The inventory service, run on Bun:
//   DATABASE_URL=postgres://… bun examples/ecommerce/inventory.ts
// Follows `orders/placed` in its own consumer group (checkpoint in
// PostgreSQL) and reserves each order's stock exactly once; publishes
// `inventory/reserved`. Prints "inventory  ready" once it has caught up with
// the orders placed while it was away; stops on SIGTERM or Ctrl-C.
// INVENTORY_HOLD_MS (tests only) holds each reservation's transaction open
// that long after publishing, to widen the window a crash can land in.
import { createBus } from "../../mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { readShopSettings, wholeNumber } from "./_env.ts";
import { onShutdown } from "./_shutdown.ts";
import { shopTelemetry } from "./_telemetry.ts";
import { tracerFor } from "./_trace.ts";
import { connectShop } from "./connect.ts";
import { inventoryContracts } from "./contracts.ts";
import { migrateInventory } from "./inventory_tables.ts";
import { startInventoryService } from "./inventory_service.ts";

const trace = tracerFor("inventory");
const settings = readShopSettings();
const holdBeforeCommit = wholeNumber("INVENTORY_HOLD_MS", 0);
const shop = await connectShop("inventory", settings, shopTelemetry("inventory"));
await migrateInventory(shop.sql, settings.schema);
const bus = createBus({
  transport: createStoreBackedTransport(shop.store, {
    storage: shop.storage,
    onError: (error) => trace(`transport error: ${error}`),
  }),
  contracts: inventoryContracts,
  name: "inventory",
});
const reserving = startInventoryService(bus, { schema: settings.schema, trace, holdBeforeCommit });
onShutdown("inventory", async () => {
  await bus.close();
  await shop.close();
});
await reserving.ready;
trace(
  `ready (store schema ${settings.schema}${
    holdBeforeCommit > 0 ? `, holding each reservation ${holdBeforeCommit} ms before commit` : ""
  })`,
);
