// The users service, run on Node:
//   DATABASE_URL=postgres://… (or NATS_URL=nats://…) node --import tsx examples/ecommerce/users.ts
// Handles the command `users/lock` through the store-backed transport: a
// sender anywhere that shares the store can `send` or `sendAndWait` it.
// Prints "users      ready" once it has caught up; stops on SIGTERM or Ctrl-C.
import { createBus } from "../../mod.ts";
import { readShopSettings } from "./_env.ts";
import { onShutdown } from "./_shutdown.ts";
import { tracerFor } from "./_trace.ts";
import { connectShop } from "./connect.ts";
import { usersContracts } from "./contracts.ts";
import { startUsersService } from "./users_service.ts";

const trace = tracerFor("users");
const settings = readShopSettings();
const shop = await connectShop("users", settings);
const bus = createBus({
  transport: await shop.transport((error) => trace(`transport error: ${error}`)),
  contracts: usersContracts,
});
const lock = startUsersService(bus, shop.store, trace);
onShutdown("users", async () => {
  await bus.close();
  await shop.close();
});
await lock.ready;
trace(`ready (store schema ${settings.schema})`);
