// The users service, run on Node:
//   DATABASE_URL=postgres://… node --import tsx examples/ecommerce/users.ts
// Handles the commands `users/lock` and `users/notify` through the
// store-backed transport: a sender anywhere that shares the store can `send`
// or `sendAndWait` them.
// Prints "users      ready" once it has caught up; stops on SIGTERM or Ctrl-C.
import { createBus } from "../../mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { readShopSettings } from "./_env.ts";
import { onShutdown } from "./_shutdown.ts";
import { shopTelemetry } from "./_telemetry.ts";
import { tracerFor } from "./_trace.ts";
import { connectShop } from "./connect.ts";
import { usersContracts } from "./contracts.ts";
import { startUsersService } from "./users_service.ts";

const trace = tracerFor("users");
const settings = readShopSettings();
const shop = await connectShop("users", settings, shopTelemetry("users"));
const bus = createBus({
  transport: createStoreBackedTransport(shop.store, {
    storage: shop.storage,
    onError: (error) => trace(`transport error: ${error}`),
  }),
  contracts: usersContracts,
  name: "users",
});
const registrations = startUsersService(bus, shop.store, trace);
onShutdown("users", async () => {
  await bus.close();
  await shop.close();
});
await Promise.all(registrations.map((registration) => registration.ready));
trace(`ready (store schema ${settings.schema})`);
