// Global reads of the NATS store through cursors: a reader paging on gets
// every message once, in order, also when the server drops the consumer
// behind its cursor between two pages (as a restart or a leader change does),
// whether the next page comes from what the cursor held or from the server;
// a type-filtered tail reads on from a page's `next` with the same cursor; a
// page is short only at the end, also when records the server still owed an
// earlier pull arrive while the page looks where its filter ends.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import type { RecordedMessage } from "../../core/mod.ts";
import {
  ConnectionOutages,
  JetStreamApi,
  type PulledMessage,
  type PullEnd,
  type Puller,
  type RecordSource,
} from "../../stores/nats/jetstream/mod.ts";
import { PageReader } from "../../stores/nats/_page_reader.ts";
import { encodeRecord } from "../../stores/nats/batch_record.ts";
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

// A category's `count` one-message records (every tenth stream sequence: the
// other streams' records lie between) behind a stand-in of the JetStream calls
// a page reader makes. It answers as a server does: a pull that stops
// listening before its batch is done is still answered, a moment later, and
// those records go to the consumer's adopter; where the filter ends is
// answered slowly (a server under load); and the pending count a record
// carries runs ahead of what is left, as 2.9.10's can.
function standInSource(count: number): RecordSource {
  const record = (k: number): PulledMessage => ({
    subject: `ordo.user.${k}`,
    seq: 10 * k,
    delivered: 1,
    pending: 2 * (count - k),
    data: new TextEncoder().encode(
      encodeRecord(`user-${k}`, 0, 0, JSON.stringify([[crypto.randomUUID(), "T", {}, {}]])),
    ),
    headers: undefined,
    reply: "",
  });
  let delivered = 0;
  const adopters = new Map<string, (message: PulledMessage) => void>();
  const api = {
    request: (subject: string) => Promise.resolve({ name: subject.split(".").at(-1) }),
    getMessage: async () => {
      await new Promise((resolve) => setTimeout(resolve, 100));
      return { seq: 10 * count };
    },
    outages: new ConnectionOutages(),
  } as unknown as JetStreamApi;
  const puller = {
    adopt: (consumer: string, adopter: (m: PulledMessage) => void) =>
      adopters.set(consumer, adopter),
    forget: (consumer: string) => adopters.delete(consumer),
    pull(
      _stream: string,
      consumer: string,
      options: { batch: number },
      onMessage: (m: PulledMessage) => boolean | void,
    ) {
      const owed = Math.min(count, delivered + options.batch);
      while (delivered < owed) {
        if (onMessage(record(++delivered)) === false) break;
      }
      setTimeout(() => {
        while (delivered < owed) adopters.get(consumer)?.(record(++delivered));
      }, 20);
      return Promise.resolve<PullEnd>("complete");
    },
    close: () => {},
  } as unknown as Puller;
  return { api, puller, stream: "ORDO" };
}

describe("NATS page reader", () => {
  it("a page is short only at the end, also when records owed to an earlier pull arrive while it looks where its filter ends", async () => {
    const reader = new PageReader(standInSource(30));
    const sizes: string[] = [];
    let from = 0n;
    let total = 0;
    for (let page = 0; page < 10; page++) {
      const read = await reader.read("ordo.user.*", undefined, from, 10, "test");
      total += read.messages.length;
      sizes.push(`${read.messages.length}${read.end ? " end" : ""}`);
      if (read.end) break;
      from = read.next;
    }
    await reader.close();
    assert.equal(total, 30, `pages: ${sizes.join(", ")}`);
    assert.ok(sizes.at(-1)!.endsWith("end") && !sizes.slice(0, -1).some((s) => s.endsWith("end")));
  });
});

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
