// The `ordo` command line against NATS JetStream (`--url nats://…`), on a
// nats-server of its own (the store's default names, ORDO and ordo_consumers,
// would meet other tests' on a shared one): a store not set up says to run
// migrate, migrate sets it up, DATABASE_URL may name NATS too, read and tail
// (followed live, stopped with Ctrl-C, promptly with the server away), and
// status, streams, consumers (with lag), parked replay and rebuild work as on
// PostgreSQL, against a consumer running in this test's process that the
// command line sees only through the storage.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import process from "node:process";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { type Consumer, createConsumer, silentLogger } from "../../mod.ts";
import {
  createNatsConsumerStorage,
  createNatsStore,
  type NatsConsumerStorage,
  type NatsEventStore,
} from "../../stores/nats/mod.ts";
import { until } from "../contract/_consumer_fixtures.ts";
import { freePort, type NatsServer, natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { followOutput } from "../_process.ts";
import { json, ordo, said, startOrdo } from "./_cli_fixture.ts";

const NO_DELAY = { initialDelay: 0, maxDelay: 0 } as const;

if (natsServerMissing !== undefined) {
  describe("ordo on NATS", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("ordo on NATS", () => {
    let server: NatsServer;
    let nc: NatsConnection;
    let url: string;
    let store: NatsEventStore;
    let storage: NatsConsumerStorage;
    let consumer: Consumer | undefined;
    let poison: string;
    let fixed = false;
    const run = (...args: string[]) => ordo([...args, "--url", url], { url: null });

    before(async () => {
      server = await startPrivateNats();
      url = server.urls[0];
      nc = await connectNats(server.urls);
      store = createNatsStore(nc, { headers, logger: silentLogger });
      storage = createNatsConsumerStorage(nc, { headers });
    });

    after(async () => {
      await consumer?.stop();
      await store.close();
      storage.close();
      await nc.close();
      await server.stop();
    });

    it("a store not set up says to run migrate; migrate sets it up, and again is harmless", async () => {
      const missing = await run("status");
      assert.equal(missing.code, 1, said(missing));
      assert.match(
        missing.stderr,
        /No ordo store on NATS at nats:\/\/.*: stream "ORDO" does not exist: run ordo migrate --url/,
      );
      for (let i = 0; i < 2; i++) {
        const migrated = await run("migrate", "--json");
        assert.equal(migrated.code, 0, said(migrated));
        assert.deepEqual(json(migrated), {
          stream: "ORDO",
          subjectPrefix: "ordo",
          bucket: "ordo_consumers",
          ready: true,
        });
      }
    });

    it("status and streams show what the store holds", async () => {
      const placed = await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
      poison = placed.positions[0].id;
      await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
      await store.append("user-7", [{ type: "UserJoined", data: {} }]);
      const status = await run("status", "--json");
      assert.equal(status.code, 0, said(status));
      const view = json(status) as Record<string, unknown>;
      assert.equal(view.stream, "ORDO");
      assert.deepEqual(view.streams, { count: 3, capped: false });
      assert.deepEqual((view.categories as { category: string }[]).map((c) => c.category), [
        "order",
        "user",
      ]);
      const fromEnv = await ordo(["status", "--json"], { url });
      assert.equal(fromEnv.code, 0, said(fromEnv));
      assert.equal(
        (json(fromEnv) as { stream: string }).stream,
        "ORDO",
        "DATABASE_URL may name NATS",
      );
      const text = await run("status");
      assert.match(
        text.stdout,
        /^Store +NATS nats:\/\/127\.0\.0\.1:\d+, stream "ORDO" \(subjects ordo\.>\), bucket "ordo_consumers"$/m,
      );
      const streams = await run("streams", "--category", "order", "--json");
      assert.equal(streams.code, 0, said(streams));
      const page = json(streams) as { streams: { streamName: string }[] };
      assert.deepEqual(page.streams.map((s) => s.streamName), ["order-1", "order-2"]);
    });

    it("read gives a stream's messages; tail follows a category live and stops on Ctrl-C", async () => {
      const read = await run("read", "order-1", "--json");
      assert.equal(read.code, 0, said(read));
      assert.deepEqual((json(read) as { type: string }[]).map((m) => m.type), ["OrderPlaced"]);
      const child = startOrdo(["tail", "--category", "order", "--json", "--url", url], "");
      let output = "";
      const lines: string[] = [];
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      followOutput(child, (text) => (output += text), (more) => lines.push(...more));
      const waitFor = async (check: () => boolean, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`no ${what}:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      try {
        await waitFor(() => output.includes("Ctrl-C stops"), "banner");
        await store.append("user-8", [{ type: "UserJoined", data: {} }]);
        const placed = await store.append("order-9", [{ type: "OrderPlaced", data: { total: 5 } }]);
        await waitFor(() => lines.length >= 1, "line for order-9");
        const message = JSON.parse(lines[0]);
        assert.deepEqual([message.streamName, message.globalPosition], [
          "order-9",
          String(placed.globalPosition),
        ]);
        assert.equal(lines.length, 1, "the user stream is not in the category");
      } finally {
        process.kill(child.pid!, "SIGINT");
      }
      assert.equal(await exited, 0, output);
    });

    it("consumers shows a running group's lag read from the storage; parked replay runs in it", async () => {
      consumer = createConsumer(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        logger: silentLogger,
        controlInterval: 500, // counts as running for 1.5 s: a KV write per round, late on a loaded machine
        retry: { maxAttempts: 1, ...NO_DELAY },
        handler: (m) => {
          if (m.id === poison && !fixed) throw new TypeError("total 30 is cursed");
        },
      });
      await consumer.caughtUp;
      await until(async () => (await storage.control.running()).length === 1, "announced");
      const listed = await run("consumers", "totals", "--json");
      assert.equal(listed.code, 0, said(listed));
      const [totals] = json(listed) as Record<string, unknown>[];
      assert.deepEqual([totals.state, totals.source, totals.lag, totals.parked], [
        "running",
        { category: "order" },
        0,
        1,
      ]);
      fixed = true;
      const replayed = await run("parked", "replay", poison, "--json");
      assert.equal(replayed.code, 0, said(replayed));
      assert.deepEqual(json(replayed), [{
        group: "totals",
        running: 1,
        outcomes: [{ messageId: poison, outcome: "replayed" }],
      }]);
      await consumer.stop();
      consumer = undefined;
      await store.append("order-3", [{ type: "OrderPlaced", data: { total: 1 } }]);
      const [stopped] = json(await run("consumers", "totals", "--json")) as Record<
        string,
        unknown
      >[];
      assert.deepEqual([stopped.state, stopped.lag, stopped.parked], ["stopped", 1, 0]);
    });

    it("rebuild replays a projection module from the start, after its reset, and reports progress", async () => {
      const dir = await mkdtemp(join(tmpdir(), "ordo-rebuild-"));
      const readModel = join(dir, "totals.txt");
      const rebuild = (...more: string[]) =>
        ordo(["rebuild", "tests/cli/_file_totals_projection.ts", "--url", url, ...more], {
          url: null,
          env: { ORDO_TEST_READ_MODEL: readModel },
        });
      try {
        const placed = (await store.readCategory("order").toArray())
          .filter((m) => m.type === "OrderPlaced");
        const expected = placed.map((m) =>
          `${m.streamName} ${(m.data as { total: number }).total}`
        );
        const first = await rebuild();
        assert.equal(first.code, 0, said(first));
        const last = placed[placed.length - 1].globalPosition;
        // The last message handled, not the checkpoint one past it.
        const line = new RegExp(
          `^Group "rebuilt-file-totals" rebuilt up to position ${last}: ${placed.length} messages in [\\d.]+ s \\(\\d+ msg/s\\)$`,
          "m",
        );
        assert.match(first.stderr, line);
        assert.deepEqual((await readFile(readModel, "utf8")).trimEnd().split("\n"), expected);
        const again = await rebuild("--json");
        assert.equal(again.code, 0, said(again));
        const final = json(again) as Record<string, unknown>;
        assert.deepEqual([final.processed, final.parked, final.fraction, final.stopped], [
          placed.length,
          0,
          1,
          false,
        ]);
        // It ran to the category's newest message, though other streams came after
        // it; position and target are both checkpoints, one past that message.
        assert.deepEqual([final.position, final.target], [String(last + 1n), String(last + 1n)]);
        assert.deepEqual(
          (await readFile(readModel, "utf8")).trimEnd().split("\n"),
          expected,
          "the reset emptied the read model before the replay: each message once",
        );
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    });

    it("refuses --schema with a NATS URL, and says when no server answers", async () => {
      const schema = await run("status", "--schema", "x");
      assert.equal(schema.code, 2, said(schema));
      assert.match(schema.stderr, /--schema names a PostgreSQL schema/);
      const nobody = await ordo(["status", "--url", `nats://127.0.0.1:${await freePort()}`], {
        url: null,
      });
      assert.equal(nobody.code, 1, said(nobody));
      assert.match(nobody.stderr, /Cannot reach NATS at nats:\/\/127\.0\.0\.1:\d+: /);
    });

    it("tail with the server away stops promptly on Ctrl-C, and cleanly", async () => {
      // From 1: its read opens a cursor (a consumer on the server), which closing deletes.
      const child = startOrdo(["tail", "--from", "1", "--json", "--url", url], "");
      let output = "";
      const lines: string[] = [];
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      followOutput(child, (text) => (output += text), (more) => lines.push(...more));
      try {
        const deadline = Date.now() + 30_000;
        while (lines.length === 0) {
          if (Date.now() > deadline) throw new Error(`no message read:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
        await server.nodes[0].kill();
        await new Promise((resolve) => setTimeout(resolve, 1_000));
        const stopped = Date.now();
        process.kill(child.pid!, "SIGINT");
        assert.equal(await exited, 0, output);
        // Closing deleted the cursor's consumer, which waited for the request timeout (5 s).
        const took = Date.now() - stopped;
        assert.ok(took < 2_500, `exited ${took} ms after Ctrl-C:\n${output}`);
        assert.doesNotMatch(output, /^ordo error|^\s+at /m, "nothing failed as it closed");
      } finally {
        child.kill("SIGKILL");
        await server.nodes[0].start();
      }
    });
  });
}
