// End to end, examples/ecommerce on NATS: the same three services on their
// three runtimes, started with NATS_URL (the one flag), sharing one real
// nats-server instead of PostgreSQL. The flow is the PostgreSQL test's: place
// orders, SIGKILL the inventory while it holds a reservation it has published
// but not acknowledged, lock users and place more orders while it is down,
// restart it, and check that every order was reserved exactly once.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Bus, createBus } from "../../mod.ts";
import { createNatsConsumerStorage, createNatsStore } from "../../stores/nats/mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import { STARTING_STOCK } from "../../examples/ecommerce/catalog.ts";
import { natsNames } from "../../examples/ecommerce/connect_nats.ts";
import {
  type LockUserResult,
  type PlaceOrder,
  type PlaceOrderResult,
  shopClientContracts,
} from "../../examples/ecommerce/contracts.ts";
import { kvStock, reservationKey } from "../../examples/ecommerce/inventory_kv.ts";
import { nameBasedId } from "../../examples/ecommerce/name_based_id.ts";
import {
  ORDER_PLACED,
  ORDER_RESERVED,
  orderStream,
  type OrderView,
} from "../../examples/ecommerce/order_view.ts";
import { type NatsServer, natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { ServiceProcess } from "./_service_process.ts";
import { orderAt, SERVICES, SKUS, TOKEN, traceOf } from "./_shop_flow.ts";
import { until } from "../_until.ts";

const BEFORE_KILL = 12;
const WHILE_DOWN = 12;
const LOCKED_USERS = ["u7", "u8"];

/** Registers the NATS end-to-end test (skipped, saying why, without nats-server). */
export function testEcommerceOnNats(): void {
  if (natsServerMissing !== undefined) {
    describe("examples/ecommerce on NATS", () => it.skip(natsServerMissing, () => {}));
    return;
  }
  describe("examples/ecommerce on NATS: NATS_URL instead of DATABASE_URL, one nats-server", () => {
    const schema = `shop${crypto.randomUUID().slice(0, 6)}`;
    const names = natsNames(schema);
    let server: NatsServer;
    let nc: NatsConnection;
    const services: ServiceProcess[] = [];
    const buses: Bus<typeof shopClientContracts>[] = [];
    let passed = false;
    const start = (name: keyof typeof SERVICES, env: Record<string, string> = {}) => {
      const { runtime, script } = SERVICES[name];
      const service = new ServiceProcess(`${name} (${runtime}, NATS)`, runtime, script, {
        NATS_URL: server.urls[0],
        ORDO_SCHEMA: schema,
        ORDERS_TOKEN: TOKEN,
        ORDERS_PORT: "0",
        ORDO_TRACES: "stdout",
        ...env,
      });
      services.push(service);
      return service;
    };
    const outputs = () => services.map((s) => `----- ${s.name}\n${s.output}`).join("\n");

    before(async () => {
      server = await startPrivateNats();
      nc = await connectNats(server.urls);
    });
    after(async () => {
      await Promise.all(services.map((service) => service.kill()));
      if (!passed && services.length > 0) console.error(`services' output:\n${outputs()}`);
      await Promise.all(buses.map((bus) => bus.close()));
      await nc?.close();
      await server?.stop();
    });

    it("reserves every order exactly once when the inventory service is SIGKILLed mid-flow and restarted", async () => {
      const users = start("users");
      const orders = start("orders");
      let inventory = start("inventory", { INVENTORY_HOLD_MS: "1000" });
      const isReady = (line: string) => /^\S+\s+ready\b/.test(line);
      const [, ordersReady] = await Promise.all(
        [users, orders, inventory].map((s) => s.waitForLine(isReady, "its ready line", 45_000)),
      );
      const ordersUrl = /ready on (http:\/\/\S+)/.exec(ordersReady)![1];
      const timeouts = { sendAndWait: 30_000, query: 10_000 };
      const http = createBus({
        transport: createHttpTransport({ url: ordersUrl, auth: { bearer: TOKEN } }),
        contracts: shopClientContracts,
        timeouts,
      });
      const store = createNatsStore(nc, { headers, stream: names.stream, subjectPrefix: schema });
      const storage = createNatsConsumerStorage(nc, { headers, bucket: names.consumers });
      const natsBus = createBus({
        transport: createNatsTransport(nc, { headers, store, ...names.bus }),
        contracts: shopClientContracts,
        timeouts,
      });
      buses.push(http, natsBus);
      const placed: PlaceOrder[] = [];
      const place = async (order: PlaceOrder) => {
        const result = await http.sendAndWait<"orders/place", PlaceOrderResult>({
          type: "orders/place",
          data: order,
        });
        assert.deepEqual(result, { orderId: order.orderId, status: "placed" });
        placed.push(order);
      };
      for (let i = 0; i < BEFORE_KILL; i++) await place(orderAt(i, 8, "N"));

      const reservedLine = (line: string) => /^inventory\s+reserved /.test(line);
      const killAfter = Math.max(3, inventory.count(reservedLine) + 1);
      await inventory.waitUntil(
        () => inventory.count(reservedLine) >= killAfter,
        "reservations",
        30_000,
      );
      const inWindow = /for order (\S+) /.exec(inventory.lines.filter(reservedLine).at(-1)!)![1];
      assert.equal((await inventory.kill()).signal, "SIGKILL");

      const locks = await Promise.all(LOCKED_USERS.map(async (userId) => {
        const commandId = crypto.randomUUID();
        const result = await natsBus.sendAndWait<"users/lock", LockUserResult>({
          type: "users/lock",
          id: commandId,
          data: { userId, reason: "chargeback" },
        });
        assert.deepEqual(result, { userId, locked: true });
        return commandId;
      }));
      for (const [i, userId] of LOCKED_USERS.entries()) {
        const refused = await http.sendAndWait<"orders/place", PlaceOrderResult>({
          type: "orders/place",
          data: { orderId: `R${i + 1}`, userId, items: { [SKUS[i]]: 1 } },
        });
        assert.equal(refused.status, "refused");
      }
      for (let i = 0; i < WHILE_DOWN; i++) await place(orderAt(BEFORE_KILL + i, 6, "N"));

      inventory = start("inventory");
      await inventory.waitForLine(isReady, "its ready line after the restart", 45_000);
      const notReserved = async () => {
        const views = await Promise.all(
          placed.map((o) =>
            http.query<"orders/show", OrderView | null>("orders/show", { orderId: o.orderId })
          ),
        );
        return placed.filter((_, i) => views[i]?.reserved !== true).map((o) => o.orderId);
      };
      await until(
        async () => (await notReserved()).length === 0,
        async () => `not reserved: ${await notReserved()}\n${outputs()}`,
        60_000,
        100,
      );

      // One trace per order through the three processes, its context carried by the NATS store
      // and transport (a redelivered order's lines, after the kill, keep it).
      const notified = (orderId: string) =>
        users.lines.some((line) => line.includes(`about order ${orderId}:`));
      await until(
        async () => placed.every((order) => notified(order.orderId)),
        async () =>
          `users not notified of: ${
            placed.filter((o) => !notified(o.orderId)).map((o) => o.orderId)
          }`,
        30_000,
        100,
      );
      const inventoryLines = services.filter((s) => s.name.startsWith("inventory"))
        .flatMap((s) => s.lines);
      const orderTraces = new Set<string>();
      for (const { orderId } of placed) {
        const inOrders = traceOf(orders.lines, `placed order ${orderId} `);
        assert.equal(
          traceOf(inventoryLines, `for order ${orderId} `),
          inOrders,
          `${orderId} inventory`,
        );
        assert.equal(traceOf(users.lines, `about order ${orderId}:`), inOrders, `${orderId} users`);
        orderTraces.add(inOrders);
      }
      assert.equal(orderTraces.size, placed.length, "each order has a trace of its own");

      const bucket = storage.bucket(names.inventory);
      const entries = await bucket.list("order");
      assert.deepEqual(
        entries.map((e) => e.key).sort(),
        placed.map((o) => reservationKey(o.orderId)).sort(),
        "one reservation entry per order",
      );
      const reservedEvents = await store.readAll({ types: ["inventory/reserved"] }).toArray();
      assert.deepEqual(
        reservedEvents.map((m) => (m.data as { orderId: string }).orderId).sort(),
        placed.map((o) => o.orderId).sort(),
        "one inventory/reserved per order",
      );
      for await (const event of store.readAll({ types: ["orders/placed"] })) {
        const orderId = (event.data as { orderId: string }).orderId;
        const reserved = reservedEvents.find((m) =>
          (m.data as { orderId: string }).orderId === orderId
        );
        assert.equal(reserved?.id, await nameBasedId(event.id, "inventory/reserved"));
        const types = (await store.readStream(orderStream(orderId))).map((m) => m.type);
        assert.deepEqual(
          types,
          [ORDER_PLACED, "orders/placed", ORDER_RESERVED],
          `stream of ${orderId}`,
        );
      }
      for (const orderId of ["R1", "R2"]) {
        assert.deepEqual(await store.readStream(orderStream(orderId)), []);
      }
      const again = inventory.lines.find((line) => line.includes(`for order ${inWindow} `));
      assert.ok(
        again?.includes("deduplicated"),
        `${inWindow} came again and was deduplicated:\n${inventory.output}`,
      );
      const ordered: Record<string, number> = { ...STARTING_STOCK };
      for (const o of placed) for (const [sku, n] of Object.entries(o.items)) ordered[sku] -= n;
      assert.deepEqual(await kvStock(bucket), ordered, "stock left per product");
      for (const commandId of locks) {
        assert.equal(users.count((line) => line.includes(`command ${commandId}`)), 1);
      }
      for (const group of ["inventory", "orders:reservations", "ordo:command:users/lock"]) {
        assert.deepEqual(await storage.parked.list(group), [], `parked in ${group}`);
      }
      storage.close();
      await store.close();
      const exits = await Promise.all([users, orders, inventory].map((s) => s.terminate(15_000)));
      assert.deepEqual(exits, [0, 0, 0].map(() => ({ code: 0, signal: null })), outputs());
      passed = true;
      console.log(
        `ecommerce e2e on NATS: ${placed.length} orders reserved once each; ${inWindow} redelivered after the kill and deduplicated`,
      );
    });
  });
}
