import process from "node:process";
import { createBus } from "../../mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";

const shop = createBus({
  transport: createHttpTransport({
    url: process.env.ORDERS_URL ?? "http://127.0.0.1:8080",
    auth: { bearer: process.env.ORDERS_TOKEN ?? "dev-orders-token-0001" },
  }),
});
await shop.sendAndWait({
  type: "orders/place",
  data: { orderId: "A1", userId: "ada", items: { apple: 2 } },
});
// status "placed" at first, "reserved" once the inventory has reserved the stock (milliseconds later)
console.log(JSON.stringify(await shop.query("orders/show", { orderId: "A1" })));
