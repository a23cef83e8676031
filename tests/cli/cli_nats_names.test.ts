// The `ordo` command line on a NATS store with its own names, as a service
// makes it with createNatsStore(nc, { stream: "SHOP", subjectPrefix: "shop" })
// and createNatsConsumerStorage(nc, { bucket: "shop_consumers" }): read with
// --stream, --subject-prefix and --bucket, set up by migrate with them, a
// stream or bucket not there said with the flags to pass (and migrate never
// moving a store to other subjects, nor changing its replicas or duplicate
// window), and the flags refused off NATS. On a nats-server of its own, so
// that the other stores it lists are known.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createConsumer, silentLogger } from "../../mod.ts";
import {
  createNatsConsumerStorage,
  createNatsStore,
  type NatsConsumerStorage,
  type NatsEventStore,
} from "../../stores/nats/mod.ts";
import { type NatsServer, natsServerMissing, startPrivateNats } from "../_nats_server.ts";
import { connectNats } from "../stores/_nats_fixtures.ts";
import { json, ordo, said } from "./_cli_fixture.ts";

const SHOP = ["--stream", "SHOP", "--subject-prefix", "shop", "--bucket", "shop_consumers"];

/** A stream's configuration as the server has it; `undefined` when there is no such stream. */
async function configOf(
  nc: NatsConnection,
  stream: string,
): Promise<{ subjects: string[]; duplicate_window: number } | undefined> {
  const reply = await nc.request(`$JS.API.STREAM.INFO.${stream}`, undefined, { timeout: 5000 });
  const answer = JSON.parse(new TextDecoder().decode(reply.data));
  return answer.error === undefined ? answer.config : undefined;
}

async function subjectsOf(nc: NatsConnection, stream: string): Promise<string[] | undefined> {
  return (await configOf(nc, stream))?.subjects;
}

if (natsServerMissing !== undefined) {
  describe("ordo on a NATS store with its own names", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("ordo on a NATS store with its own names", () => {
    let server: NatsServer;
    let nc: NatsConnection;
    let url: string;
    let store: NatsEventStore;
    let storage: NatsConsumerStorage;
    const run = (...args: string[]) => ordo([...args, "--url", url], { url: null });

    before(async () => {
      server = await startPrivateNats();
      url = server.urls[0];
      nc = await connectNats(server.urls);
      store = createNatsStore(nc, {
        headers,
        stream: "SHOP",
        subjectPrefix: "shop",
        duplicateWindow: 30_000, // not the default, which ordo migrate has no flag for
        logger: silentLogger,
      });
      storage = createNatsConsumerStorage(nc, { headers, bucket: "shop_consumers" });
      await store.setup();
      await storage.setup();
      await store.append("order-1", [{ type: "OrderPlaced", data: { total: 30 } }]);
      await store.append("order-2", [{ type: "OrderPlaced", data: { total: 12 } }]);
      await store.append("user-7", [{ type: "UserJoined", data: {} }]);
      const consumer = createConsumer(store, {
        group: "totals",
        source: { category: "order" },
        storage,
        logger: silentLogger,
        handler: () => {},
      });
      await consumer.caughtUp;
      await consumer.stop();
      await store.append("order-3", [{ type: "OrderPlaced", data: { total: 1 } }]);
    });

    after(async () => {
      await store.close();
      storage.close();
      await nc.close();
      await server.stop();
    });

    it("status, streams, read and consumers see the store and storage --stream, --subject-prefix and --bucket name", async () => {
      const status = await run("status", ...SHOP, "--json");
      assert.equal(status.code, 0, said(status));
      const view = json(status) as Record<string, unknown>;
      assert.deepEqual([view.stream, view.subjectPrefix, view.bucket, view.streams], [
        "SHOP",
        "shop",
        "shop_consumers",
        { count: 4, capped: false },
      ]);
      const text = await run("status", ...SHOP);
      assert.match(
        text.stdout,
        /^Store +NATS nats:\/\/127\.0\.0\.1:\d+, stream "SHOP" \(subjects shop\.>\), bucket "shop_consumers"$/m,
      );
      assert.match(text.stdout, /^ {2}totals +stopped +1 +0$/m, "the group, from shop_consumers");
      const streams = await run("streams", ...SHOP, "--category", "order", "--json");
      assert.equal(streams.code, 0, said(streams));
      assert.deepEqual(
        (json(streams) as { streams: { streamName: string }[] }).streams.map((s) => s.streamName),
        ["order-1", "order-2", "order-3"],
      );
      const read = await run("read", "order-1", ...SHOP, "--json");
      assert.equal(read.code, 0, said(read));
      assert.deepEqual((json(read) as { data: unknown }[]).map((m) => m.data), [{ total: 30 }]);
      const consumers = await run("consumers", "totals", ...SHOP, "--json");
      assert.equal(consumers.code, 0, said(consumers));
      const [totals] = json(consumers) as Record<string, unknown>[];
      assert.deepEqual([totals.group, totals.state, totals.source, totals.lag], [
        "totals",
        "stopped",
        { category: "order" },
        1,
      ]);
    });

    it("a stream, prefix or bucket that is not the store's is said with the flags to pass", async () => {
      const bare = await run("status");
      assert.equal(bare.code, 1, said(bare));
      assert.match(
        bare.stderr,
        /No ordo store on NATS at nats:\/\/[\d.:]+: stream "ORDO" does not exist: the server's ordo store is in stream "SHOP": pass --stream SHOP, or run ordo migrate --url nats:\/\/[\d.:]+ to set up a new one/,
      );
      const misspelt = await run("consumers", "--stream", "SHPO", "--subject-prefix", "shop");
      assert.equal(misspelt.code, 1, said(misspelt));
      assert.match(
        misspelt.stderr,
        /stream "SHPO" does not exist: did you mean --stream SHOP\? \(or run ordo migrate --url nats:\/\/[\d.:]+ --stream SHPO --subject-prefix shop to set up a new store\)/,
      );
      const prefix = await run("status", "--stream", "SHOP");
      assert.equal(prefix.code, 1, said(prefix));
      assert.match(
        prefix.stderr,
        /Stream "SHOP" on NATS at nats:\/\/[\d.:]+ holds the subjects shop\.>, not ordo\.>: pass --subject-prefix shop\n/,
      );
      const bucket = await run("status", ...SHOP.slice(0, 4), "--bucket", "shop_consumer");
      assert.equal(bucket.code, 1, said(bucket));
      assert.match(
        bucket.stderr,
        /No consumer storage on NATS at nats:\/\/[\d.:]+: bucket "shop_consumer" does not exist: did you mean --bucket shop_consumers\? \(or run ordo migrate --url nats:\/\/[\d.:]+ --stream SHOP --subject-prefix shop --bucket shop_consumer to set it up\)/,
      );
      const index = await run("streams", "--stream", "SHOP_IDS", "--subject-prefix", "shop_ids");
      assert.equal(index.code, 1, said(index));
      assert.match(index.stderr, /Stream "SHOP_IDS" .* is not an ordo store's: .*check --stream/);
    });

    it("migrate with --stream, --subject-prefix and --bucket sets them up, and moves no store to other subjects", async () => {
      const names = ["--stream", "BAZAAR", "--subject-prefix", "bazaar", "--bucket", "bazaar_kv"];
      const migrated = await run("migrate", ...names, "--json");
      assert.equal(migrated.code, 0, said(migrated));
      assert.deepEqual(json(migrated), {
        stream: "BAZAAR",
        subjectPrefix: "bazaar",
        bucket: "bazaar_kv",
        ready: true,
      });
      assert.deepEqual(await subjectsOf(nc, "BAZAAR"), ["bazaar.>"]);
      assert.deepEqual(await subjectsOf(nc, "BAZAAR_IDS"), ["bazaar_ids.>"]);
      assert.deepEqual(await subjectsOf(nc, "KV_bazaar_kv"), ["$KV.bazaar_kv.>"]);
      const status = await run("status", ...names, "--json");
      assert.equal(status.code, 0, said(status));
      assert.deepEqual((json(status) as { streams: unknown }).streams, { count: 0, capped: false });

      // The refusal is the store's setup()'s own (one refusal, not a copy in the command line), naming the flag.
      const moved = await run("migrate", "--stream", "SHOP");
      assert.equal(moved.code, 2, said(moved));
      assert.match(
        moved.stderr,
        /Invalid --subject-prefix "ordo": stream "SHOP" exists with the subjects shop\.>, not ordo\.>, and setup\(\) does not move a stream away from what it holds: pass the --subject-prefix its other users are given \(shop\), or another --stream for a new one\n/,
      );
      assert.deepEqual(
        await subjectsOf(nc, "SHOP"),
        ["shop.>"],
        "the service's store is left as it is",
      );
      const taken = await run("migrate", "--subject-prefix", "shop");
      assert.equal(taken.code, 1, said(taken));
      assert.match(
        taken.stderr,
        /Cannot set up stream "ORDO" on NATS at .*: stream "SHOP" holds the subjects shop\.>: pass --stream SHOP/,
      );
      assert.equal(await subjectsOf(nc, "ORDO"), undefined);
    });

    it("migrate on a store set up before keeps its replicas and duplicate window, reading each stream's configuration once", async () => {
      // What the command asks JetStream of the streams, seen on the server as any subscriber sees it.
      const asked: string[] = [];
      const watch = nc.subscribe("$JS.API.STREAM.INFO.>", {
        callback: (_error, message) => void asked.push(message.subject),
      });
      await nc.flush();
      const again = await run("migrate", ...SHOP);
      watch.unsubscribe();
      assert.equal(again.code, 0, said(again));
      const before = (stream: string) => asked.filter((s) => s === `$JS.API.STREAM.INFO.${stream}`);
      // Read once by the command's checks, whose answer also says what migrate keeps (setup()'s create
      // of a stream as it is needs no read).
      assert.equal(before("SHOP").length, 1, asked.join("\n"));
      assert.equal(before("KV_shop_consumers").length, 1, asked.join("\n"));
      // setup() with the defaults would make it 2 min (and an R3 store R1).
      assert.equal((await configOf(nc, "SHOP"))?.duplicate_window, 30_000_000_000);
    });

    it("refuses the NATS names off NATS, and a name the store would refuse, naming the flag (exit 2)", async () => {
      const postgres = await ordo(
        ["status", "--url", "postgres://me@127.0.0.1:1/db", "--stream", "SHOP", "--bucket", "b"],
        { url: null },
      );
      assert.equal(postgres.code, 2, said(postgres));
      assert.match(
        postgres.stderr,
        /--stream and --bucket are for a store on NATS \(--url nats:\/\/host:4222\): a PostgreSQL store is named by its schema \(--schema\)\nRun ordo status --help/,
      );
      const pglite = await ordo(["status", "--pglite", "nowhere", "--subject-prefix", "shop"], {
        url: null,
      });
      assert.equal(pglite.code, 2, said(pglite));
      assert.match(pglite.stderr, /--subject-prefix is for a store on NATS .*: a PGlite store/);
      for (
        const [flag, value, reason] of [
          ["--stream", "SH OP", /a stream name is 1 to 28 letters, digits, _ and -/],
          ["--subject-prefix", "shop.*", /a subject prefix is up to 100 letters/],
          ["--bucket", "shop.consumers", /a bucket name is 1 to 64 letters/],
        ] as const
      ) {
        const bad = await run("status", flag, value);
        assert.equal(bad.code, 2, said(bad));
        assert.match(
          bad.stderr,
          new RegExp(`Invalid ${flag} "${value.replace(/[.*]/g, "\\$&")}": `),
        );
        assert.match(bad.stderr, reason);
      }
    });
  });
}
