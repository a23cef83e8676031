// The console lists the NATS transport's `bus.subscribe` groups beside the
// storage's, given `natsEventGroups`: their position is no checkpoint entry but
// the ack floor of their durable JetStream consumer on the store's stream. Each
// shows its source, lag, state and parked messages, is marked as the
// transport's, and its replays are refused (the transport takes none, so one
// would wait for ever). Against a real nats-server, over the console's HTTP API.
import assert from "node:assert/strict";
import { createServer } from "node:http";
import { after, before, describe, it } from "node:test";
import puppeteer from "puppeteer-core";
import { headers } from "@nats-io/transport-node";
import { type Bus, createBus, silentLogger, ValidationError } from "../../mod.ts";
import { type AdminHandler, createAdminHandler } from "../../admin/mod.ts";
import {
  createNatsConsumerStorage,
  type NatsConsumerStorage,
  type NatsEventStore,
} from "../../stores/nats/mod.ts";
import { createNatsTransport, listNatsEventGroups } from "../../transports/nats/mod.ts";
import { natsServerMissing, startNats } from "../_nats_server.ts";
import { keptLogger } from "../_kept_logger.ts";
import { until } from "../_until.ts";
import { connectNats, deleteStreams, freshStore, useNats } from "../stores/_nats_fixtures.ts";
import { createNodeRequestListener } from "../../transports/http/server/node_adapter.ts";
import { findChromium, screenshotPath, textOn } from "./_console_fixture.ts";

const BASE = "http://127.0.0.1:8080";
const OPERATOR = { authorization: "Bearer operator-token-7f3a9c" };
const REPLAY = { ...OPERATOR, "x-ordo-console": "1", origin: BASE };
const AUTH = { operator: { bearer: "operator-token-7f3a9c" } };
const chromium = findChromium();

if (natsServerMissing !== undefined) {
  describe("the console on NATS: the transport's event groups", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("the console on NATS: the transport's event groups", () => {
    const nats = useNats();
    let store: NatsEventStore;
    let storage: NatsConsumerStorage;
    let bus: Bus;
    let handler: AdminHandler;
    let bucket: string;
    let poison: string;
    const get = async (path: string) =>
      await (await handler.fetch(new Request(`${BASE}${path}`, { headers: OPERATOR }))).json();

    before(async () => {
      store = await freshStore(nats.nc);
      bucket = `parked_${store.subjectPrefix}`;
      storage = createNatsConsumerStorage(nats.nc, { headers, bucket, logger: silentLogger });
      await storage.setup();
      const transport = createNatsTransport(nats.nc, {
        headers,
        store,
        storage,
        logger: silentLogger,
        subjectPrefix: `bus_${store.subjectPrefix}`,
        commandStream: `${store.stream}_CMD`,
        ledgerBucket: `ledger_${store.subjectPrefix}`,
        retry: { maxAttempts: 1, initialDelay: 0, maxDelay: 0 },
      });
      await transport.setup();
      bus = createBus({ transport, logger: silentLogger });
      const handled: string[] = [];
      const audit = bus.subscribe("audit", { category: "order" }, (event) => {
        if ((event.data as { cursed?: boolean }).cursed) throw new Error("cursed order");
        handled.push(event.id);
      });
      await audit.ready;
      poison =
        (await bus.publish({ type: "orders/placed", data: { cursed: true }, stream: "order-1" }))
          .id;
      await bus.publish({ type: "orders/placed", data: {}, stream: "order-2" });
      await bus.publish({ type: "users/joined", data: {}, stream: "user-7" });
      await until(() => handled.length === 1, "the audit group to handle the second order");
      await until(
        async () => (await storage.parked.get("audit", poison)) !== undefined,
        "the cursed order parked",
      );
      // The ack of the second order lands.
      await new Promise((resolve) => setTimeout(resolve, 300));
      handler = createAdminHandler({
        store,
        storage,
        auth: AUTH,
        natsEventGroups: () =>
          listNatsEventGroups(nats.nc, {
            headers,
            stream: store.stream,
            subjectPrefix: store.subjectPrefix,
          }),
        sampleInterval: 50,
      });
    });

    after(async () => {
      await handler?.close();
      await bus?.close();
      storage?.close();
      await store?.close();
      await deleteStreams(nats.nc, [
        `KV_${bucket}`,
        `${store.stream}_CMD`,
        `KV_ledger_${store.subjectPrefix}`,
      ]);
    });

    it("consumers: the group with its source, state, lag, position and parked message, marked as the transport's", async () => {
      const { groups } = await get("/api/consumers");
      assert.deepEqual(groups.map((g: { group: string }) => g.group), ["audit"]);
      const [audit] = groups;
      assert.equal(audit.transport, "nats");
      assert.deepEqual(audit.source, { category: "order" });
      assert.equal(audit.state, "running");
      assert.equal(audit.running[0].instance, "evt_audit");
      assert.equal(audit.lag, 0, "both orders handled (one parked)");
      assert.equal(audit.partitionCount, 1);
      assert.ok(BigInt(audit.partitions[0].checkpoint) > 0n, "at its ack floor");
      assert.equal(audit.parked, 1);
      assert.equal(audit.lastError.messageId, poison);
    });

    it("overview: listed beside the others with its state and lag, marked as the transport's", async () => {
      const overview = await get("/api/overview");
      assert.deepEqual(overview.consumers, [{
        group: "audit",
        state: "running",
        lag: 0,
        lagCapped: false,
        parked: 1,
        transport: "nats",
      }]);
    });

    it("its replays are refused, one or all, and nothing is asked for", async () => {
      for (const path of [`parked/audit/${poison}/replay`, "parked/audit/replay-all"]) {
        const answer = await handler.fetch(
          new Request(`${BASE}/api/${path}`, { method: "POST", headers: REPLAY, body: "{}" }),
        );
        const body = await answer.json();
        assert.equal(answer.status, 400, JSON.stringify(body));
        assert.equal(body._tag, "ValidationError");
        assert.match(body.message, /NATS transport group/);
      }
      assert.deepEqual(await storage.control.pendingReplays("audit"), []);
      const parked = await get("/api/parked");
      assert.deepEqual(parked.natsTransportGroups, ["audit"]);
      assert.equal(parked.entries[0].message.id, poison);
    });

    (chromium === undefined ? it.skip : it)(
      "in Chromium: marked on the consumers page, said what it is, its parked message without Replay",
      async () => {
        const server = createServer(createNodeRequestListener(handler));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
        const browser = await puppeteer.launch({
          executablePath: chromium,
          headless: true,
          args: ["--no-sandbox", "--disable-gpu"],
        });
        try {
          const page = await browser.newPage();
          await page.setViewport({ width: 1200, height: 820 });
          await page.goto(url);
          await page.waitForSelector("#login-secret");
          await page.type("#login-secret", "operator-token-7f3a9c");
          await page.click("#login-submit");
          await page.waitForSelector("#who");
          await page.goto(`${url}#/consumers`);
          const row = "#consumers-table tr[data-group=audit]";
          await textOn(page, row, (t) => t.includes("NATS transport group"), "the group marked");
          await textOn(page, `${row} .state-running`, (t) => t === "running", "running");
          await textOn(
            page,
            '[data-details=audit] [data-transport="nats"]',
            (t) => t.includes("evt_audit") && t.includes("no replays"),
            "where its position lives, and that it takes no replays",
          );
          await page.screenshot({ path: screenshotPath("nats-transport-group") });
          await page.goto(`${url}#/parked`);
          await textOn(
            page,
            `#parked-table tr[data-message="${poison}"]`,
            (t) => t.includes("NATS transport group: no replay"),
            "its parked message said not replayable",
          );
          assert.equal(await page.$$eval("button.replay, button.replay-all", (b) => b.length), 0);
        } finally {
          await browser.close();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections?.();
          });
        }
      },
    );

    it("a lister that fails (its connection closed, or a throw): the console still answers with the storage's groups and says that list failed", async () => {
      const shared = await startNats();
      const closed = await connectNats(shared.urls);
      await closed.close();
      const listers = {
        rejects: () =>
          listNatsEventGroups(closed, {
            headers,
            stream: store.stream,
            subjectPrefix: store.subjectPrefix,
          }),
        throws: (): never => {
          throw new TypeError("lister broken");
        },
      };
      try {
        for (const [how, natsEventGroups] of Object.entries(listers)) {
          const logger = keptLogger();
          const failing = createAdminHandler({
            store,
            storage,
            auth: AUTH,
            natsEventGroups,
            sampleInterval: 60_000,
            logger,
          });
          const read = async (path: string) => {
            const answer = await failing.fetch(
              new Request(`${BASE}/api/${path}`, { headers: OPERATOR }),
            );
            const body = await answer.json();
            assert.equal(answer.status, 200, `${how} ${path}: ${JSON.stringify(body)}`);
            return body;
          };
          try {
            const said = how === "throws" ? /^TypeError: lister broken$/ : /Closed|closed/;
            const consumers = await read("consumers");
            assert.match(consumers.natsEventGroupsFailed, said, how);
            // Without the transport's list, its group is not shown as the transport's.
            assert.ok(!consumers.groups.some((g: { transport?: string }) => g.transport), how);
            const overview = await read("overview");
            assert.match(overview.natsEventGroupsFailed, said, how);
            assert.equal(typeof overview.head, "string", "the rest of the overview is there");
            const parked = await read("parked");
            assert.match(parked.natsEventGroupsFailed, said, how);
            assert.equal(parked.entries[0].message.id, poison, "the storage's parked messages");
            assert.deepEqual(parked.natsTransportGroups, []);
            // Said through the logger too (the sampler runs with no page open), once for the spell.
            const warned = logger.lines.filter((line) =>
              line ===
                "warn: Console could not list the NATS transport's groups; showing the storage's"
            );
            assert.equal(warned.length, 1, `${how}: ${logger.lines.join(" | ")}`);
            assert.match(String(logger.fields[logger.lines.indexOf(warned[0]!)]!.error), said, how);
          } finally {
            await failing.close();
          }
        }
        // A lister that works says nothing of the kind.
        assert.equal((await get("/api/consumers")).natsEventGroupsFailed, undefined);
      } finally {
        await shared.release();
      }
    });

    (chromium === undefined ? it.skip : it)(
      "in Chromium: a failed list of the transport's groups is said on the consumers page",
      async () => {
        const failing = createAdminHandler({
          store,
          storage,
          auth: AUTH,
          natsEventGroups: () => Promise.reject(new Error("NATS connection closed")),
          sampleInterval: 60_000,
          logger: silentLogger,
        });
        const server = createServer(createNodeRequestListener(failing));
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/`;
        const browser = await puppeteer.launch({
          executablePath: chromium,
          headless: true,
          args: ["--no-sandbox", "--disable-gpu"],
        });
        try {
          const page = await browser.newPage();
          await page.goto(url);
          await page.waitForSelector("#login-secret");
          await page.type("#login-secret", "operator-token-7f3a9c");
          await page.click("#login-submit");
          await page.waitForSelector("#who");
          await page.goto(`${url}#/consumers`);
          await textOn(
            page,
            "#nats-groups-failed",
            (t) => t.includes("listing them failed (Error: NATS connection closed)"),
            "the notice that the transport's groups are missing",
          );
        } finally {
          await browser.close();
          await new Promise<void>((resolve) => {
            server.close(() => resolve());
            server.closeAllConnections?.();
          });
          await failing.close();
        }
      },
    );

    it("a lister that is not a function is refused when the console is made", () => {
      assert.throws(
        () => createAdminHandler({ store, storage, auth: AUTH, natsEventGroups: "nats" as never }),
        (error: unknown) =>
          error instanceof ValidationError && error.path === "options.natsEventGroups",
      );
    });
  });
}
