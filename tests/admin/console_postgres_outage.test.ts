// The console over a real PostgreSQL that is stopped under it and started
// again, as in the trial that found each request answered after 12 to 30 s
// (postgres.js queues a query behind its connection attempts, and a consumer
// beside the console keeps the pool busy): every request is answered within
// the console's requestTimeout (5 s) with a 503 that says the store is not
// answering, the page says so with how long, and both recover by themselves
// once the server is back. The browser half is skipped without chromium.
import assert from "node:assert/strict";
import { createServer, type Server } from "node:http";
import { before, describe, it } from "node:test";
import puppeteer from "puppeteer-core";
import { type ConsumerStorage, createConsumer, type EventStore, silentLogger } from "../../mod.ts";
import { createAdminHandler } from "../../admin/mod.ts";
import { createPostgresConsumerStorage, createPostgresStore } from "../../stores/postgres/mod.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
import { usePostgres } from "../_postgres_fixture.ts";
import { until } from "../_until.ts";
import { findChromium, screenshotPath, textOn } from "./_console_fixture.ts";

const TOKEN = "operator-token-7f3a9c";
const VIEWER = "viewer-token-5b2e8d41";
const chromium = findChromium();

describe("the console while its PostgreSQL is stopped and started again", () => {
  const pg = usePostgres({ max: 2, schema: "console_outage" });
  let url = "";
  let store: EventStore;
  let storage: ConsumerStorage<unknown>;

  before(async () => {
    // The console's own pool, as a service has (postgres.js's default size).
    const sql = pg.client({ max: 10 });
    store = createPostgresStore(sql, { schema: "console_outage", pollInterval: 200 });
    storage = createPostgresConsumerStorage(sql, { schema: "console_outage" });
    for (let i = 1; i <= 5; i++) {
      await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { total: i } }]);
    }
    const consumer = createConsumer(store, {
      group: "totals",
      source: { category: "order" },
      storage,
      logger: silentLogger,
      controlInterval: 200,
      retry: { initialDelay: 50, maxDelay: 200 },
      handler: () => {},
    });
    await consumer.caughtUp;
    const handler = createAdminHandler({
      store,
      storage,
      auth: { operator: { bearer: TOKEN } },
      logger: silentLogger,
    });
    const server: Server = createServer(createNodeRequestListener(handler));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
    pg.cleanup(() => store.close());
    pg.cleanup(async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections?.();
      await closed;
      await handler.close();
      await consumer.close();
    });
  });

  const get = async (route: string) => {
    const started = performance.now();
    const answer = await fetch(`${url}api/${route}`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    return { status: answer.status, body: await answer.json(), ms: performance.now() - started };
  };

  it("answers every route within 5 s with a 503 saying the store is not answering, and again once the server is back", async () => {
    assert.equal((await get("overview")).status, 200);
    await pg.server.halt();
    let halted = true;
    try {
      const routes = ["overview", "consumers", "streams", "streams/order-1", "messages/1"];
      for (const route of routes) {
        const answer = await get(route);
        assert.equal(answer.status, 503, `${route}: ${JSON.stringify(answer.body)}`);
        assert.equal(answer.body._tag, "StoreUnavailableError", route);
        assert.match(answer.body.message, /^Store unavailable during /, route);
        // The deadline, and slack for a loaded machine; before, 12 to 30 s.
        assert.ok(answer.ms < 7000, `${route} answered after ${Math.round(answer.ms)} ms`);
      }
      await pg.server.start();
      halted = false;
      const back = performance.now();
      await until(async () => (await get("overview")).status === 200, "the overview again");
      const recovered = performance.now() - back;
      // About 10 s on a quiet machine (postgres.js's own reconnection after the
      // restart); 15.3 s once under a full test run beside other work: slack for that.
      assert.ok(recovered < 20_000, `answered again ${Math.round(recovered)} ms after the start`);
      for (const route of ["consumers", "streams", "streams/order-1", "messages/1"]) {
        await until(async () => (await get(route)).status === 200, `${route} again`);
      }
    } finally {
      if (halted) await pg.server.start();
    }
  });

  (chromium === undefined ? it.skip : it)(
    "the page says the store is not answering and for how long, and recovers by itself",
    async () => {
      const browser = await puppeteer.launch({
        executablePath: chromium,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu"],
      });
      let halted = false;
      try {
        const page = await browser.newPage();
        await page.setViewport({ width: 1200, height: 820 });
        await page.goto(url);
        await page.waitForSelector("#login-secret");
        await page.type("#login-secret", TOKEN);
        await page.click("#login-submit");
        await textOn(page, "#head", (t) => /^\d+$/.test(t), "the overview");
        await pg.server.halt();
        halted = true;
        const said = await textOn(
          page,
          "#connection",
          (t) => /^The store is not answering \(for [1-9]\d* s\)/.test(t),
          "the banner while the database is stopped",
        );
        assert.match(said, /Cannot refresh: Store unavailable during /);
        assert.match(said, /what is shown was read at \d{4}-\d\d-\d\d [\d:]+ UTC/);
        await page.screenshot({ path: screenshotPath("store-not-answering") });
        // A page opened now: the failure, and it tries itself again.
        await page.goto(`${url}#/streams`);
        await textOn(
          page,
          "main .notice",
          (t) => t.startsWith("The store is not answering (for "),
          "the streams page's failure",
        );
        await textOn(page, "#retrying", (t) => t === "Trying again every 3 s.", "the retry note");
        await pg.server.start();
        halted = false;
        // No click: the page loads once the store answers.
        await page.waitForSelector("#streams-table", { timeout: 30_000 });
        await page.goto(`${url}#/overview`);
        await textOn(page, "#head", (t) => /^\d+$/.test(t), "the overview again");
        await until(
          async () =>
            await page.$eval("#connection", (node) => (node as HTMLElement).hidden === true),
          "the banner gone",
        );
      } finally {
        if (halted) await pg.server.start();
        await browser.close();
      }
    },
  );

  // Each request past the deadline used to start its read again beside the
  // one still stuck (the store API takes no signal, so none is cancelled):
  // reads piled up on a pool that cannot connect. And the banner counted
  // from the first 503 its browser saw, not from when the server met the outage.
  it("20 requests during the outage run no more than three store reads at a time, and each 503 says since when the store has not answered", async () => {
    let heads = 0;
    let atOnce = 0;
    let mostAtOnce = 0;
    const counted = new Proxy(store, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (typeof value !== "function") return value;
        if (name === "headPosition") {
          return async (...args: unknown[]) => {
            heads++;
            mostAtOnce = Math.max(mostAtOnce, ++atOnce);
            try {
              return await value.apply(target, args);
            } finally {
              atOnce--;
            }
          };
        }
        return value.bind(target);
      },
    });
    const handler = createAdminHandler({
      store: counted,
      storage,
      auth: { operator: { bearer: TOKEN }, viewer: { bearer: VIEWER } },
      logger: silentLogger,
      requestTimeout: 1000,
      sampleInterval: 3_600_000, // one sample, at the first request: the requests' reads alone
    });
    const overview = async (token: string) => {
      const asked = Date.now();
      const answer = await handler.fetch(
        new Request("http://127.0.0.1/api/overview", {
          headers: { authorization: `Bearer ${token}` },
        }),
      );
      return { status: answer.status, body: await answer.json(), ms: Date.now() - asked };
    };
    let halted = false;
    try {
      assert.equal((await overview(TOKEN)).status, 200);
      await new Promise((resolve) => setTimeout(resolve, 200)); // the first sample done
      // What one overview read costs in head reads, with nothing else reading.
      let before = heads;
      assert.equal((await overview(TOKEN)).status, 200);
      const perRead = heads - before;
      assert.ok(perRead > 0);
      await pg.server.halt();
      halted = true;
      before = heads;
      mostAtOnce = 0;
      const down = Date.now();
      let last: { status: number; body: Record<string, unknown>; ms: number } | undefined;
      for (let i = 0; i < 20; i++) {
        last = await overview(i % 2 ? VIEWER : TOKEN);
        assert.equal(last.status, 503, JSON.stringify(last.body));
        assert.ok(last.ms < 3000, `answered after ${last.ms} ms`);
        const since = Date.parse(String(last.body.unreachableSince));
        assert.ok(
          since >= down - 50 && since <= down + 1500,
          `since ${last.body.unreachableSince}`,
        );
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
      // At most three reads at a time (a fresh one past the last one's deadline),
      // a fourth only once one ended. How many start in all depends on how the
      // driver meets a stopped server: a refused connection ends each read at
      // once (one per request, none left hanging, seen on Deno), a connect that
      // hangs holds them (a few for the twenty). What must not happen is reads
      // piling up behind requests that were answered 503 (the old code: 13 at once).
      assert.ok(heads > before, "the requests did read the store");
      assert.ok(mostAtOnce <= 3 * perRead, `${mostAtOnce / perRead} overview reads at once`);
      const whole = Date.now() - down;
      assert.ok(
        Number(last!.body.unreachableMs) >= whole - 1500,
        `unreachableMs=${last!.body.unreachableMs}, ${whole} ms since the first request`,
      );
      await pg.server.start();
      halted = false;
      await until(async () => (await overview(TOKEN)).status === 200, "the overview again");
    } finally {
      if (halted) await pg.server.start();
      await handler.close();
    }
  });

  (chromium === undefined ? it.skip : it)(
    "a page opened well into the outage counts it from when the server met it, not from its own first 503",
    async () => {
      const browser = await puppeteer.launch({
        executablePath: chromium,
        headless: true,
        args: ["--no-sandbox", "--disable-gpu"],
      });
      let halted = false;
      try {
        await pg.server.halt();
        halted = true;
        // The server meets the outage (its sampler, another viewer's page)...
        assert.equal((await get("overview")).status, 503);
        const met = Date.now();
        await new Promise((resolve) => setTimeout(resolve, 8_000));
        // ...and a page opened 8 s later says so.
        const page = await browser.newPage();
        await page.goto(`${url}#/streams`);
        await page.waitForSelector("#login-secret");
        await page.type("#login-secret", TOKEN);
        await page.click("#login-submit");
        const said = await textOn(
          page,
          "main .notice",
          (t) => /^The store is not answering \(for \d+ s\)/.test(t),
          "the streams page's failure",
        );
        const seconds = Number(/for (\d+) s/.exec(said)![1]);
        const least = Math.floor((Date.now() - met) / 1000) - 2;
        assert.ok(seconds >= least && seconds >= 8, `said ${said}; at least ${least} s`);
        await pg.server.start();
        halted = false;
        await page.waitForSelector("#streams-table", { timeout: 30_000 });
      } finally {
        if (halted) await pg.server.start();
        await browser.close();
      }
    },
  );
});
