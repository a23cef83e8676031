// End to end, examples/ecommerce: the orders service on Deno, the inventory
// service on Bun and the users service on Node, each in its own process,
// sharing one real PostgreSQL server. The test is a client of the shop: it
// places orders, locks users, SIGKILLs the inventory service while it is
// reserving (between publishing `inventory/reserved` and committing the
// reservation), places more orders while it is down, restarts it, and then
// checks from the database that every order was reserved exactly once.
//
// It runs under Node, Deno and Bun alike: each service is started with the
// runtime it is written for (from node_modules/.bin, and node from PATH),
// whichever runtime runs this file.
//
// The services trace (ORDO_TRACES=stdout) and so does the test's HTTP
// client: each order's trace starts at the client's `send orders/place` and
// runs through the orders service (Deno), the inventory (Bun) and the users
// service (Node), which each print the trace id beside what they did.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Bus, createBus, type RecordedMessage } from "../../mod.ts";
import {
  createPostgresConsumerStorage,
  createPostgresStore,
  type PostgresEventStore,
} from "../../stores/postgres/mod.ts";
import { createHttpTransport } from "../../transports/http/mod.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { STARTING_STOCK } from "../../examples/ecommerce/catalog.ts";
import {
  type Items,
  type LockUserResult,
  type PlaceOrder,
  type PlaceOrderResult,
  shopClientContracts,
} from "../../examples/ecommerce/contracts.ts";
import { inventoryTables } from "../../examples/ecommerce/inventory_tables.ts";
import { nameBasedId } from "../../examples/ecommerce/name_based_id.ts";
import {
  ORDER_PLACED,
  ORDER_RESERVED,
  orderStream,
  type OrderView,
} from "../../examples/ecommerce/order_view.ts";
import { USER_LOCKED, userStream } from "../../examples/ecommerce/users_service.ts";
import { ROOT } from "../_paths.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { run } from "../_process.ts";
import { CURRENT_RUNTIME } from "../_runtimes.ts";
import { testEcommerceOnNats } from "./_ecommerce_nats.ts";
import { OtelHarness } from "../telemetry/_otel.ts";
import { checkOrdersFront } from "./_orders_front.ts";
import { ServiceProcess } from "./_service_process.ts";
import { orderAt, SERVICES, SKUS, TOKEN, traceOf } from "./_shop_flow.ts";
import { until } from "../_until.ts";

const SCHEMA = "shop";
/** Orders placed while the inventory runs (before the kill), and while it is down. */
const BEFORE_KILL = 20;
const WHILE_DOWN = 20;
/** Reservations the first inventory process starts before it is killed during the next one. */
const KILL_AT_RESERVATION = 3;
/** How long the first inventory process holds each reservation's transaction open after publishing. */
const HOLD_MS = 1_000;
/** Users locked between the two rounds of orders. */
const LOCKED_USERS = ["u7", "u8"];

/** Runs `work` over `items`, at most `limit` at a time. */
async function eachLimited<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await work(items[next++]);
  }));
}

/** The test's view of the shop: how it places and shows orders and locks users. */
interface ShopClient {
  place(order: PlaceOrder): Promise<PlaceOrderResult>;
  show(orderId: string): Promise<OrderView | null>;
  lock(userId: string, reason: string): Promise<{ commandId: string; result: LockUserResult }>;
}

describe("examples/ecommerce: orders on Deno, inventory on Bun, users on Node, one PostgreSQL", () => {
  const pg = usePostgres({ max: 4, pool: { connection: { application_name: "e2e-driver" } } });
  const otel = new OtelHarness();
  let store: PostgresEventStore;
  let storeBus: Bus<typeof shopClientContracts>;
  let httpBus: Bus<typeof shopClientContracts>;
  const services: ServiceProcess[] = [];
  let passed = false;

  const start = (name: keyof typeof SERVICES, env: Record<string, string> = {}) => {
    const { runtime, script } = SERVICES[name];
    const service = new ServiceProcess(
      `${name} (${runtime}, run ${services.filter((s) => s.name.startsWith(name)).length + 1})`,
      runtime,
      script,
      {
        DATABASE_URL: pg.server.url,
        ORDO_SCHEMA: SCHEMA,
        ORDERS_TOKEN: TOKEN,
        ORDERS_PORT: "0",
        ORDO_TRACES: "stdout",
        ...env,
      },
    );
    services.push(service);
    return service;
  };
  const outputs = () =>
    services.map((s) => `----- ${s.name}${s.running ? "" : " (exited)"}\n${s.output}`).join("\n");

  pg.cleanup(async () => {
    // Whatever happened, no service outlives the test.
    await Promise.all(services.map((service) => service.kill()));
    if (!passed && services.length > 0) console.error(`ecommerce services' output:\n${outputs()}`);
    await httpBus?.close();
    await storeBus?.close();
    await store?.close();
    await otel.shutdown();
  });

  it("reserves every order exactly once when the inventory service is SIGKILLed mid-flow and restarted", async () => {
    const started = performance.now();
    const phases: string[] = [];
    const mark = (what: string) =>
      phases.push(`${what} ${((performance.now() - started) / 1000).toFixed(1)} s`);

    // All three migrate the same empty schema at once: migrations must be safe in parallel.
    const users = start("users");
    const orders = start("orders");
    let inventory = start("inventory", { INVENTORY_HOLD_MS: String(HOLD_MS) });
    const isReady = (line: string) => /^\S+\s+ready\b/.test(line);
    const [, ordersReady] = await Promise.all([
      users.waitForLine(isReady, "its ready line", 45_000),
      orders.waitForLine(isReady, "its ready line", 45_000),
      inventory.waitForLine(isReady, "its ready line", 45_000),
    ]);
    const ordersUrl = /ready on (http:\/\/\S+)/.exec(ordersReady)?.[1];
    assert.ok(ordersUrl, `no URL in the orders service's ready line: ${ordersReady}`);
    const health = await fetch(`${ordersUrl}/health`);
    assert.equal(health.status, 200, await health.text());
    mark("services ready");

    // The client: orders over HTTP (bearer token), users/lock through the store, which the orders front does not serve.
    const timeouts = { sendAndWait: 20_000, query: 10_000 };
    httpBus = createBus({
      transport: createHttpTransport({
        url: ordersUrl,
        auth: { bearer: TOKEN },
        telemetry: otel.telemetry,
      }),
      contracts: shopClientContracts,
      timeouts,
    });
    store = createPostgresStore(pg.sql, { schema: SCHEMA, pollInterval: 200 });
    storeBus = createBus({
      transport: createStoreBackedTransport(store, {
        storage: createPostgresConsumerStorage(pg.sql, { schema: SCHEMA }),
      }),
      contracts: shopClientContracts,
      timeouts,
    });
    const shop: ShopClient = {
      place: (order) =>
        httpBus.sendAndWait<"orders/place", PlaceOrderResult>({
          type: "orders/place",
          data: order,
        }),
      show: (orderId) => httpBus.query<"orders/show", OrderView | null>("orders/show", { orderId }),
      async lock(userId, reason) {
        const commandId = crypto.randomUUID();
        const result = await storeBus.sendAndWait<"users/lock", LockUserResult>({
          type: "users/lock",
          id: commandId,
          data: { userId, reason },
        });
        return { commandId, result };
      },
    };
    await checkOrdersFront(ordersUrl, TOKEN);

    const t = inventoryTables(SCHEMA);
    const reservationRows = async () =>
      (await pg.sql.unsafe(`SELECT count(*)::int AS n FROM ${t.reservations}`))[0].n as number;
    const reservedEvents = async () =>
      (await store.readAll({ types: ["inventory/reserved"], limit: 10_000 }).toArray()).length;
    const inventoryConnections = async () =>
      (await pg
        .sql`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = 'inventory'`)[
          0
        ].n as number;

    // Round 1, inventory running (and slowed): users u1–u8.
    const placed: PlaceOrder[] = [];
    const placeAll = async (batch: PlaceOrder[]) => {
      await eachLimited(batch, 4, async (order) => {
        const result = await shop.place(order);
        assert.deepEqual(
          result,
          { orderId: order.orderId, status: "placed" },
          `placing ${order.orderId}`,
        );
        placed.push(order);
      });
    };
    await placeAll(Array.from({ length: BEFORE_KILL }, (_, i) => orderAt(i, 8, "A")));
    mark(`${BEFORE_KILL} orders placed`);

    // Kill the inventory right after it printed a reservation (at least the Nth) that it published and holds
    // uncommitted. A fresh line, not one printed while the orders were being placed: by now that one may be committed.
    const reservedLine = (line: string) => /^inventory\s+reserved /.test(line);
    const killAfter = Math.max(KILL_AT_RESERVATION, inventory.count(reservedLine) + 1);
    await inventory.waitUntil(
      () => inventory.count(reservedLine) >= killAfter,
      `${killAfter} reservations`,
      30_000,
    );
    const killed = await inventory.kill();
    assert.equal(
      killed.signal,
      "SIGKILL",
      `the inventory service ended on its own: ${JSON.stringify(killed)}`,
    );
    mark("inventory SIGKILLed");
    // Its last transaction must be over (rolled back) before anything is counted or a new process starts:
    // a consumer outside a group takes no lease (docs/decisions/consumers.md).
    await until(
      async () => (await inventoryConnections()) === 0,
      () => "the killed inventory's connections are still open",
      10_000,
      100,
    );
    const rowsAtKill = await reservationRows();
    const eventsAtKill = await reservedEvents();
    const ordersAtKill = placed.length;
    assert.ok(rowsAtKill >= 1, `no reservation was committed before the kill:\n${outputs()}`);
    assert.ok(
      rowsAtKill < ordersAtKill,
      `every order (${ordersAtKill}) was reserved before the kill: it did not land mid-flow`,
    );
    assert.equal(
      eventsAtKill,
      rowsAtKill + 1,
      `the kill should land after a reservation's inventory/reserved was published and before its transaction committed ` +
        `(${eventsAtKill} events, ${rowsAtKill} committed reservations)`,
    );
    const [{ order_id: inWindow }] = await pg.sql.unsafe(
      `SELECT m.data->>'orderId' AS order_id FROM ${SCHEMA}.messages m WHERE m.type = 'inventory/reserved'
       AND NOT EXISTS (SELECT 1 FROM ${t.reservations} r WHERE r.reserved_event_id = m.id)`,
    );

    // While the inventory is down: lock two users, and place more orders (refused for the locked users).
    const locks = await Promise.all(LOCKED_USERS.map((userId) => shop.lock(userId, "chargeback")));
    for (const [i, { result }] of locks.entries()) {
      assert.deepEqual(result, { userId: LOCKED_USERS[i], locked: true });
    }
    const refusals = await Promise.all(
      LOCKED_USERS.map((userId, i) =>
        shop.place({ orderId: `R${i + 1}`, userId, items: { [SKUS[i]]: 1 } })
      ),
    );
    assert.deepEqual(
      refusals,
      LOCKED_USERS.map((userId, i) => ({
        orderId: `R${i + 1}`,
        status: "refused",
        reason: `user ${userId} is locked`,
      })),
    );
    await placeAll(Array.from({ length: WHILE_DOWN }, (_, i) => orderAt(BEFORE_KILL + i, 6, "A")));
    assert.equal(
      await reservationRows(),
      rowsAtKill,
      "reservations were made while the inventory service was down",
    );
    mark(`${WHILE_DOWN} more orders placed while it was down`);

    inventory = start("inventory");
    await inventory.waitForLine(isReady, "its ready line after the restart", 45_000);
    mark("inventory restarted and caught up");

    // Every order, as the orders service shows it, ends up reserved.
    const notReserved = async () => {
      const views = await Promise.all(
        placed.map(async (order) => [order.orderId, await shop.show(order.orderId)] as const),
      );
      return views.filter(([, view]) => view?.reserved !== true).map(([id, view]) =>
        `${id}: ${view === null ? "unknown" : view.status}`
      );
    };
    await until(
      async () => (await notReserved()).length === 0,
      async () => `orders not reserved: ${(await notReserved()).join(", ")}`,
      30_000,
      100,
    );
    mark("every order shows reserved");

    // One trace per order, from the test's request through the three processes.
    const notified = (orderId: string) =>
      users.lines.some((line) => line.includes(`about order ${orderId}:`));
    await until(
      async () => placed.every((order) => notified(order.orderId)),
      () =>
        `users not notified of: ${
          placed.filter((o) => !notified(o.orderId)).map((o) => o.orderId)
        }`,
      30_000,
      100,
    );
    const clientTraces = new Set(otel.named("send orders/place").map((span) => span.traceId));
    const orderTraces = new Set<string>();
    for (const { orderId } of placed) {
      const inOrders = traceOf(orders.lines, `placed order ${orderId} `);
      const inventoryLines = services.filter((s) => s.name.startsWith("inventory"))
        .flatMap((s) => s.lines);
      assert.equal(
        traceOf(inventoryLines, `for order ${orderId} `),
        inOrders,
        `${orderId} inventory`,
      );
      assert.equal(traceOf(users.lines, `about order ${orderId}:`), inOrders, `${orderId} users`);
      assert.ok(clientTraces.has(inOrders), `${orderId}'s trace starts at the test's request`);
      orderTraces.add(inOrders);
    }
    assert.equal(orderTraces.size, placed.length, "each order has a trace of its own");
    mark("one trace per order over the three processes");

    // From the database. Each placed order: one reservation row, one inventory/reserved event with the derived id.
    const placedIds = placed.map((order) => order.orderId).sort();
    assert.equal(placedIds.length, BEFORE_KILL + WHILE_DOWN);
    const rows = await pg.sql.unsafe(
      `SELECT order_id, items, placed_event_id::text AS placed, reserved_event_id::text AS reserved FROM ${t.reservations}`,
    );
    const rowsPerOrder = new Map<string, number>();
    for (const row of rows) {
      rowsPerOrder.set(row.order_id, (rowsPerOrder.get(row.order_id) ?? 0) + 1);
    }
    assert.deepEqual(
      [...rowsPerOrder].filter(([, n]) => n !== 1),
      [],
      "orders with more than one reservation row",
    );
    assert.deepEqual([...rowsPerOrder.keys()].sort(), placedIds, "orders with a reservation row");

    const reservedEventsStored: RecordedMessage[] = await store.readAll({
      types: ["inventory/reserved"],
      limit: 10_000,
    }).toArray();
    const eventsPerOrder = new Map<string, RecordedMessage[]>();
    for (const m of reservedEventsStored) {
      const orderId = (m.data as { orderId: string }).orderId;
      eventsPerOrder.set(orderId, [...(eventsPerOrder.get(orderId) ?? []), m]);
    }
    assert.deepEqual(
      [...eventsPerOrder].filter(([, ms]) => ms.length !== 1).map(([id]) => id),
      [],
      "orders with more than one inventory/reserved event",
    );
    assert.deepEqual(
      [...eventsPerOrder.keys()].sort(),
      placedIds,
      "orders with an inventory/reserved event",
    );
    const placedEvents = await store.readAll({ types: ["orders/placed"], limit: 10_000 }).toArray();
    for (const event of placedEvents) {
      const orderId = (event.data as { orderId: string }).orderId;
      const expectedId = await nameBasedId(event.id, "inventory/reserved");
      assert.equal(
        eventsPerOrder.get(orderId)?.[0].id,
        expectedId,
        `inventory/reserved of ${orderId} has the id derived from its orders/placed`,
      );
      assert.ok(
        rows.some((row) =>
          row.order_id === orderId && row.placed === event.id && row.reserved === expectedId
        ),
        `reservation row of ${orderId}`,
      );
    }

    // The order whose event was out but whose reservation was rolled back came again and was deduplicated.
    const again = inventory.lines.find((line) => line.includes(`for order ${inWindow} `));
    assert.ok(
      again?.includes("deduplicated"),
      `the restarted inventory should have found ${inWindow}'s event stored:\n${inventory.output}`,
    );

    // Stock: what is left plus what was reserved is what there was, per product.
    const ordered = new Map<string, number>();
    for (const order of placed) {
      for (const [sku, n] of Object.entries(order.items)) {
        ordered.set(sku, (ordered.get(sku) ?? 0) + n);
      }
    }
    const reservedPerSku = new Map<string, number>();
    for (const row of rows) {
      for (const [sku, n] of Object.entries(row.items as Items)) {
        reservedPerSku.set(sku, (reservedPerSku.get(sku) ?? 0) + n);
      }
    }
    const stock = await pg.sql.unsafe(`SELECT sku, available FROM ${t.stock} ORDER BY sku`);
    assert.deepEqual(
      Array.from(stock, (row) => ({ sku: row.sku, available: row.available })),
      SKUS.slice().sort().map((sku) => ({
        sku,
        available: STARTING_STOCK[sku] - (ordered.get(sku) ?? 0),
      })),
      "stock left per product",
    );
    assert.deepEqual(reservedPerSku, ordered, "quantities reserved per product");

    // Each order's stream: placed, published, reserved, once each; the refused orders have no stream.
    for (const orderId of placedIds) {
      const types = (await store.readStream(orderStream(orderId))).map((m) => m.type);
      assert.deepEqual(
        types,
        [ORDER_PLACED, "orders/placed", ORDER_RESERVED],
        `stream of order ${orderId}`,
      );
    }
    for (const orderId of ["R1", "R2"]) {
      assert.deepEqual(
        await store.readStream(orderStream(orderId)),
        [],
        `refused order ${orderId}`,
      );
    }
    // The stored orders/place commands: one per order placed or refused, none for the malformed one the front refused.
    const commands = await store.readCategory("orders:command", { limit: 10_000 }).toArray();
    assert.deepEqual(
      commands.map((m) => (m.data as { orderId: string }).orderId).sort(),
      [...placedIds, "R1", "R2"].sort(),
      "stored orders/place commands",
    );

    // Each users/lock was handled once: one handler run in the users service's trace, one UserLocked caused by it, one reply.
    for (const [i, { commandId }] of locks.entries()) {
      assert.equal(
        users.count((line) => line.includes(`command ${commandId}`)),
        1,
        `users/lock ${commandId} handled:\n${users.output}`,
      );
      const history = await store.readStream(userStream(LOCKED_USERS[i]));
      assert.deepEqual(history.map((m) => [m.type, m.metadata.causationId]), [[
        USER_LOCKED,
        commandId,
      ]], `stream of ${LOCKED_USERS[i]}`);
      assert.equal(
        (await store.readStream(`users:reply-${commandId}`)).length,
        1,
        `replies to users/lock ${commandId}`,
      );
    }
    assert.deepEqual(
      [...(await pg.sql.unsafe(`SELECT grp, message_id::text AS id FROM ${SCHEMA}.parked`))],
      [],
      "parked messages",
    );

    // The README's client (examples/ecommerce/client.ts) places an order over
    // HTTP, prints it, and exits by itself: nothing it opened holds the process.
    const client = await run(
      CURRENT_RUNTIME.command,
      CURRENT_RUNTIME.args("examples/ecommerce/client.ts"),
      { cwd: ROOT, timeout: 60_000, env: { ORDERS_URL: ordersUrl, ORDERS_TOKEN: TOKEN } },
    );
    assert.equal(client.code, 0, client.stderr);
    assert.match(client.stdout, /^\{"orderId":"A1","userId":"ada"/);
    assert.ok(client.lingered < 2000, `the client exited ${client.lingered} ms after its output`);
    mark("the README's client ran and exited");

    // A clean stop: each service exits with 0 on SIGTERM, having closed what it opened.
    const exits = await Promise.all(
      [users, orders, inventory].map((service) => service.terminate(15_000)),
    );
    assert.deepEqual(
      exits,
      [0, 0, 0].map(() => ({ code: 0, signal: null })),
      `exits after SIGTERM:\n${outputs()}`,
    );
    mark("stopped");
    passed = true;
    console.log(
      `ecommerce e2e: ${placedIds.length} orders reserved once each, 2 refused for locked users; inventory killed with ` +
        `${rowsAtKill}/${ordersAtKill} reserved (order ${inWindow} published, not committed); ${
          phases.join(", ")
        }`,
    );
  });
});

// The same shop on NATS JetStream (NATS_URL instead of DATABASE_URL).
testEcommerceOnNats();
