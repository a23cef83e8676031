// Browsing the PostgreSQL store beyond the contract: a filter by type looks
// at a bounded number of streams per call and pages on past the bound, and
// under a collation that does not sort by code point (ICU, Czech: "ch" is one
// letter after "h") a prefix is no longer a range of the index, yet every
// matching stream is listed once.
import assert from "node:assert/strict";
import process from "node:process";
import { describe, it } from "node:test";
import postgres from "postgres";
import type { StreamSummary } from "../../core/mod.ts";
import { createPostgresStore, type PostgresEventStore } from "../../stores/postgres/mod.ts";
import { usePostgres } from "../_postgres_fixture.ts";

/** Every stream a filter lists, and how many calls it took. */
async function listAll(
  store: PostgresEventStore,
  filter: { category?: string; prefix?: string; type?: string },
  limit: number,
): Promise<{ names: string[]; calls: number; shortPages: number }> {
  const names: string[] = [];
  let after: string | undefined;
  let calls = 0;
  let shortPages = 0;
  for (;;) {
    const page = await store.listStreams({ ...filter, limit, ...(after ? { after } : {}) });
    calls++;
    names.push(...page.streams.map((s: StreamSummary) => s.streamName));
    if (page.end) return { names, calls, shortPages };
    if (page.streams.length < limit) shortPages++;
    after = page.next;
  }
}

/** Streams `item-00001` … with one message each, every 1000th of type Rare, in one statement. */
async function fill(sql: postgres.Sql, schema: string, count: number): Promise<void> {
  await sql.unsafe(
    `INSERT INTO ${schema}.messages (global_position, id, stream_name, stream_version, type, data, metadata)
       SELECT nextval('${schema}.positions'), gen_random_uuid(), 'item-' || lpad(i::text, 5, '0'), 0,
         CASE WHEN i % 1000 = 7 THEN 'Rare' ELSE 'Common' END, '{}', '{}'
       FROM generate_series(1, ${count}) i`,
  );
}

describe("PostgreSQL store: listStreams() at the edges", () => {
  const pg = usePostgres({ max: 4, schema: "browse" });

  it("a filter by type looks at a bounded number of streams per call, and pages on past them", async () => {
    const store = pg.createStore({ schema: "browse" });
    await fill(pg.sql, "browse", 4500);
    const rare = await listAll(store, { type: "Rare" }, 10);
    assert.deepEqual(rare.names, [
      "item-00007",
      "item-01007",
      "item-02007",
      "item-03007",
      "item-04007",
    ]);
    assert.ok(rare.calls >= 3, `looked at every stream in one call (${rare.calls} calls)`);
    assert.ok(rare.shortPages >= 1, "a page short of its limit, not the end, says so");
    const common = await store.listStreams({ type: "Common", limit: 3 });
    assert.deepEqual(common.streams.map((s) => s.streamName), [
      "item-00001",
      "item-00002",
      "item-00003",
    ]);
    assert.equal(common.end, false);
  });

  it("under an ICU collation (Czech) lists every stream of a prefix once, in the database's order", async () => {
    const database = `browse_icu_${process.pid}`;
    await pg.sql.unsafe(
      `CREATE DATABASE ${database} LOCALE_PROVIDER icu ICU_LOCALE 'cs-CZ' LOCALE 'C' TEMPLATE template0`,
    );
    const url = new URL(pg.server.url);
    url.pathname = `/${database}`;
    const icu = postgres(url.toString(), { max: 2, onnotice: () => {} });
    pg.cleanup(() => icu.end({ timeout: 5 }));
    const store = createPostgresStore(icu, { schema: "browse" });
    pg.cleanup(() => store.close());
    await store.migrate();
    const names = ["order-a", "order-B", "order-c", "order-ch1", "order-d", "orderx-1", "Order-1"];
    for (const name of names) await store.append(name, [{ type: "T", data: {} }]);
    const { names: listed } = await listAll(store, { category: "order" }, 2);
    const orders = ["order-B", "order-a", "order-c", "order-ch1", "order-d"];
    assert.deepEqual([...listed].sort(), orders);
    const [{ collated }] = await icu.unsafe(
      `SELECT array_agg(n ORDER BY n) AS collated FROM unnest($1::text[]) n`,
      [orders],
    );
    assert.deepEqual(listed, collated, "in the order the database sorts names");
    assert.deepEqual((await listAll(store, { prefix: "Order" }, 5)).names, ["Order-1"]);
    // "order-ch1" sorts after "order-d" here: a range from "order-c" to "order-d" would miss it.
    assert.deepEqual((await listAll(store, { prefix: "order-c" }, 5)).names, [
      "order-c",
      "order-ch1",
    ]);
  });
});
