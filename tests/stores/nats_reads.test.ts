// Global reads of the NATS store through cursors: a reader paging on gets
// every message once, in order, also when the server drops the consumer
// behind its cursor between two pages (as a restart or a leader change does),
// whether the next page comes from what the cursor held or from the server;
// a type-filtered tail reads on from a page's `next` with the same cursor.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import type { RecordedMessage } from "../../core/mod.ts";
import { JetStreamApi } from "../../stores/nats/jetstream/mod.ts";
import type { NatsEventStore } from "../../stores/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { isStrictlyIncreasing, messages, readEverything } from "../contract/_fixtures.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { freshStore, useNats } from "./_nats_fixtures.ts";

// The consumers of the store's stream behind page cursors.
async function cursorNames(nc: NatsConnection, store: NatsEventStore): Promise<string[]> {
  const api = new JetStreamApi({ connection: nc, headers });
  const { consumers } = await api.request(`CONSUMER.NAMES.${store.stream}`, {}) as {
    consumers: string[] | null;
  };
  api.close();
  return (consumers ?? []).filter((name) => name.startsWith("ordo_page_"));
}

// Deletes every consumer of the store's stream behind a page cursor.
async function dropCursors(nc: NatsConnection, store: NatsEventStore): Promise<void> {
  const api = new JetStreamApi({ connection: nc, headers });
  for (const name of await cursorNames(nc, store)) {
    await api.request(`CONSUMER.DELETE.${store.stream}.${name}`);
  }
  api.close();
}

if (natsServerMissing !== undefined) {
  describe("NATS store reads", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store reads", () => {
    const nats = useNats();

    it("property: a reader paging on sees every message once, in order, when its cursor is dropped between pages", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 20 }),
          fc.integer({ min: 1, max: 25 }),
          fc.array(fc.integer({ min: 0, max: 3 }).map((n) => n === 0), {
            minLength: 1,
            maxLength: 30,
          }),
          fc.constantFrom(undefined, "acct"),
          async (batches, pageSize, drops, category) => {
            const store = await freshStore(nats.nc);
            try {
              for (const [i, size] of batches.entries()) {
                await store.append(`${i % 3 === 0 ? "user" : "acct"}-${i % 4}`, messages(size));
              }
              const expected = (await readEverything(store)).filter((m) =>
                category === undefined || m.streamName.startsWith(`${category}-`)
              );
              const seen: RecordedMessage[] = [];
              let from = 0n;
              for (let page = 0;; page++) {
                if (drops[page % drops.length]) await dropCursors(nats.nc, store);
                const read = () =>
                  store.readPage({
                    ...(category === undefined ? {} : { category }),
                    from,
                    limit: pageSize,
                  });
                // As a consumer does: a failed page is read again from the same position.
                const got = await read().catch(read);
                seen.push(...got.messages);
                if (got.end) break;
                from = got.next;
              }
              assert.deepEqual(seen.map((m) => m.id), expected.map((m) => m.id));
              assert.ok(isStrictlyIncreasing(seen.map((m) => m.globalPosition)));
            } finally {
              await store.close();
            }
          },
        ),
        propertyParameters(8),
      );
    });

    it("readPage() with types goes on from a short page's next with the same cursor, past the records it passed over", async () => {
      const store = await freshStore(nats.nc);
      try {
        const [first] = messages(1, "Placed");
        await store.append("order-1", [first]);
        await store.append("order-2", messages(2, "Noted"));
        const page = await store.readPage({ types: ["Placed"], limit: 10 });
        assert.deepEqual(page.messages.map((m) => m.id), [first.id]);
        assert.equal(page.end, true);
        assert.equal(page.next, page.messages[0].globalPosition + 1n, "past its last message");
        const cursors = await cursorNames(nats.nc, store);
        assert.equal(cursors.length, 1);
        // A tail reading on from `next`, as a consumer does once new messages are in.
        const [second] = messages(1, "Placed");
        await store.append("order-3", [second]);
        const after = await store.readPage({ types: ["Placed"], from: page.next, limit: 10 });
        assert.deepEqual(after.messages.map((m) => m.id), [second.id]);
        assert.deepEqual(await cursorNames(nats.nc, store), cursors, "the same consumer read on");
        // Other types from the same position are not what that cursor passed over: read again.
        const noted = await store.readPage({ types: ["Noted"], from: page.next, limit: 10 });
        assert.equal(noted.messages.length, 2);
      } finally {
        await store.close();
      }
    });
  });
}
