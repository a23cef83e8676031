// Browsing the NATS store beyond what the contract suite checks: a listing
// filtered by type finds a type in any record of a stream (walking back along
// the links of a short stream, scanning a long one), and one call reads at
// most about 1000 records, so a page can come back short and not be the end;
// getMessage does not take an id reserved by an append that never landed for
// a stored message; counting never takes the cursor a reader pages on; and
// the subject listing follows the server's pages (100,000 subjects each on a
// real server, so shown here against a stand-in answering 100 a page).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { headers } from "@nats-io/transport-node";
import { IdIndex } from "../../stores/nats/id_index.ts";
import { JetStreamApi, subjectCounts } from "../../stores/nats/jetstream/mod.ts";
import { storeSubjects } from "../../stores/nats/subjects.ts";
import type { NatsEventStore } from "../../stores/nats/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { message, messages } from "../contract/_fixtures.ts";
import { freshStore, useNats } from "./_nats_fixtures.ts";

// The consumers behind the store's page cursors.
async function cursorNames(api: JetStreamApi, store: NatsEventStore): Promise<string[]> {
  const { consumers } = await api.request(`CONSUMER.NAMES.${store.stream}`, {}) as {
    consumers: string[] | null;
  };
  return (consumers ?? []).filter((name) => name.startsWith("ordo_page_"));
}

describe("subjectCounts()", () => {
  // Answers STREAM.INFO as a server does: `total` subjects, `page` of them from `offset`.
  const standIn = (total: number, page: number, shrinkTo = total) => {
    const offsets: number[] = [];
    const api = {
      request: (_api: string, body: { offset: number }) => {
        offsets.push(body.offset);
        const subjects: Record<string, number> = {};
        for (let i = body.offset; i < Math.min(body.offset + page, shrinkTo); i++) {
          subjects[`ordo.order.${i}`] = i + 1;
        }
        return Promise.resolve({ total, offset: body.offset, state: { subjects } });
      },
    } as unknown as JetStreamApi;
    return { api, offsets };
  };

  it("asks page after page by offset until it has the total", async () => {
    const { api, offsets } = standIn(250, 100);
    const counts = await subjectCounts(api, "ORDO", "ordo.>");
    assert.deepEqual(offsets, [0, 100, 200]);
    assert.equal(counts.size, 250);
    assert.equal(counts.get("ordo.order.249"), 250);
  });

  it("stops at an empty page when subjects went away while paging", async () => {
    const { api, offsets } = standIn(250, 100, 120);
    assert.equal((await subjectCounts(api, "ORDO", "ordo.>")).size, 120);
    assert.deepEqual(offsets, [0, 100, 120]);
  });
});

if (natsServerMissing !== undefined) {
  describe("NATS store browsing", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store browsing", () => {
    const nats = useNats();

    it("listStreams() finds a type in any record: back along the links, or by a scan of a long stream", async () => {
      const store = await freshStore(nats.nc);
      try {
        const appendTypes = async (name: string, types: string[]) => {
          for (const type of types) await store.append(name, [message(type)]);
        };
        await appendTypes("b-long", ["X", "Z", "Z", "Z", "Z", "Z"]);
        await appendTypes("b-short", ["X", "Z", "Z"]);
        await appendTypes("b-without", ["Z", "Z", "Z", "Z", "Z", "Z"]);
        const page = await store.listStreams({ type: "X" });
        assert.deepEqual(page.streams.map((s) => [s.streamName, s.version, s.lastType]), [
          ["b-long", 5, "Z"],
          ["b-short", 2, "Z"],
        ]);
        assert.equal(page.end, true);
      } finally {
        await store.close();
      }
    });

    it("listStreams() with a type reads about 1000 records a call: a page may be short and not the end", async () => {
      const store = await freshStore(nats.nc);
      try {
        for (const name of ["c-1", "c-2"]) {
          for (let i = 0; i < 600; i++) await store.append(name, [message("X")]);
        }
        await store.append("c-3", [message("Y")]);
        const first = await store.listStreams({ type: "X" });
        assert.deepEqual([first.streams.map((s) => s.streamName), first.next, first.end], [
          ["c-1"],
          "c-1",
          false,
        ]);
        const second = await store.listStreams({ type: "X", after: first.next });
        assert.deepEqual([second.streams.map((s) => s.streamName), second.end], [["c-2"], true]);
        // Without a type nothing is read but the listed streams' last records.
        const all = await store.listStreams();
        assert.deepEqual([all.streams.map((s) => s.streamName), all.end], [
          ["c-1", "c-2", "c-3"],
          true,
        ]);
      } finally {
        await store.close();
      }
    });

    it("countMessages() counts through cursors of its own: a reader paging on keeps its cursor", async () => {
      const store = await freshStore(nats.nc);
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        for (let i = 0; i < 4; i++) await store.append(`e-${i}`, messages(1));
        const first = await store.readPage({ limit: 2 });
        const [reader] = await cursorNames(api, store);
        assert.equal(await store.countMessages(), 4);
        assert.equal(await store.countMessages({ from: first.next }), 2);
        const second = await store.readPage({ from: first.next, limit: 2 });
        assert.equal(second.messages.length, 2);
        assert.ok((await cursorNames(api, store)).includes(reader), "the reader's cursor stays");
      } finally {
        api.close();
        await store.close();
      }
    });

    it("getMessage() is undefined for an id reserved by an append that never stored its record", async () => {
      const store = await freshStore(nats.nc);
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        await store.append("d-1", [message("A")]);
        const id = crypto.randomUUID();
        const index = new IdIndex(api, `${store.stream}_IDS`, storeSubjects(store.subjectPrefix));
        assert.deepEqual(await index.reserve([id], "d-1", 0), [undefined]);
        assert.equal(await store.getMessage(id), undefined);
      } finally {
        api.close();
        await store.close();
      }
    });
  });
}
