// Runtime-transport checks of appends and reads, once per append call the
// clients use: the client-streaming Streams.Append (servers without
// BatchAppend) and the bidirectional Streams.BatchAppend (servers since
// 21.10). Everything goes through ordo's adapter with a real client, against
// the stand-in: the assertions are about what crossed the wire (request shape,
// bytes, answers decoded, deadlines), never about EventStoreDB's behaviour.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import fc from "fast-check";
import {
  ConcurrencyError,
  type EventStore,
  type JsonValue,
  StoreUnavailableError,
} from "../../../mod.ts";
import { createEventStoreDbStore } from "../../../stores/eventstoredb/mod.ts";
import { propertyParameters } from "../../contract/_store_properties.ts";
import {
  type ClientUnderTest,
  type Connection,
  endStandIn,
  TRANSPORT_STORE_OPTIONS,
} from "./client_under_test.ts";
import { type StandIn, type StandInRecord, startStandIn } from "./start_standin.ts";

const APPEND_CALLS = [
  { call: "Append", label: "the client-streaming Append call", batchAppend: false },
  { call: "BatchAppend", label: "the bidirectional BatchAppend call", batchAppend: true },
] as const;

export function testAppendTransport(under: ClientUnderTest): void {
  for (const mode of APPEND_CALLS) {
    describe(`appends over ${mode.label}`, () => {
      let standin: StandIn;
      let connection: Connection;
      let store: EventStore;
      before(async () => {
        standin = await startStandIn({ batchAppend: mode.batchAppend });
        connection = under.connect(standin.url);
        store = createEventStoreDbStore(connection.client, {
          ...TRANSPORT_STORE_OPTIONS,
          namespace: "rt",
        });
      });
      after(async () => {
        await store?.close();
        await connection?.dispose();
        await endStandIn(standin);
      });

      // The records of the append call that carried `stream`'s n-th batch.
      async function appendRecords(
        stream: string,
        nth = 0,
      ): Promise<{ call: StandInRecord; request: StandInRecord; answered: StandInRecord }> {
        const isRequest = (r: StandInRecord) => r.event === "request" && r.stream === stream;
        await standin.waitFor(
          `append ${nth} to ${stream}`,
          (r) => isRequest(r) && standin.records.filter(isRequest).length > nth,
        );
        const request = standin.records.filter(isRequest)[nth];
        const call = standin.records.find((r) => r.event === "call" && r.id === request.id)!;
        const answered = await standin.waitFor(
          `the answer to append ${nth} to ${stream}`,
          (r) =>
            r.event === "answered" && r.id === request.id && r.correlation === request.correlation,
        );
        return { call, request, answered };
      }

      it(`append() sends the batch over ${mode.call}, with its deadline, and resolves with the answer`, async () => {
        const batch = [1, 2, 3].map((i) => ({
          id: crypto.randomUUID(),
          type: `Placed${i}`,
          data: { i },
        }));
        const result = await store.append("order-1", batch, { expectedVersion: "no-stream" });

        const { call, request, answered } = await appendRecords("rt/order-1");
        assert.equal(
          call.method,
          mode.call,
          "the client chose its append call from the ServerFeatures answer",
        );
        assert.deepEqual(request.ids, batch.map((m) => m.id));
        assert.deepEqual(request.types, ["Placed1", "Placed2", "Placed3"]);
        assert.equal(request.expected, "no_stream");
        // Append sends its deadline as the grpc-timeout header; BatchAppend, a long-lived call, inside each batch.
        if (mode.batchAppend) assert.equal(request.deadlineInRequest, true);
        else assert.equal(call.deadline, true);
        assert.equal(result.streamVersion, Number(answered.revision));
        assert.equal(result.globalPosition, BigInt(answered.position as string) * 2n + 1n);

        await store.append("order-1", [{ type: "Shipped", data: {} }], { expectedVersion: 2 });
        assert.equal((await appendRecords("rt/order-1", 1)).request.expected, "2");

        // The stand-in answers a stale expectation with "wrong expected version"; the client decodes it.
        await assert.rejects(
          store.append("order-1", [{ type: "Late", data: {} }], { expectedVersion: 0 }),
          (error) => error instanceof ConcurrencyError && error.actualVersion === 3,
        );
      });

      it("readStream() and readAll() bring back 1 MiB of event data intact, past HTTP/2 flow-control windows", async () => {
        // 64 events of 16 Ki UTF-16 units, mostly 2- to 4-byte UTF-8 characters: far past the 64 KiB window and 16 KiB frames.
        const batch = Array.from(
          { length: 64 },
          (_, i) => ({
            type: "Blob",
            data: { i, text: `${i}:ö€𝄞`.repeat(2048).slice(0, 16 * 1024) },
          }),
        );
        await store.append("blob-1", batch);
        const { request } = await appendRecords("rt/blob-1");
        assert.ok((request.bytes as number) > 1024 * 1024, `sent ${request.bytes} bytes`);

        assert.deepEqual(
          (await store.readStream("blob-1")).map((m) => m.data),
          batch.map((m) => m.data),
        );
        const all = await store.readAll().toArray();
        assert.deepEqual(
          all.filter((m) => m.streamName === "blob-1").map((m) => m.data),
          batch.map((m) => m.data),
        );
        assert.deepEqual(
          await store.readStream("none-1"),
          [],
          "a stream-not-found answer is decoded",
        );
      });

      it("readAll() from a position the store returned asks the server for that log position, and starts there", async () => {
        await store.append(
          "page-1",
          Array.from({ length: 30 }, (_, i) => ({ type: "Paged", data: { i } })),
        );
        const all = (await store.readAll().toArray()).filter((m) => m.streamName === "page-1");
        const from = all[10].globalPosition;
        const page = (await store.readAll({ from }).toArray()).filter((m) =>
          m.streamName === "page-1"
        ).slice(0, 5);
        assert.deepEqual(page.map((m) => m.id), all.slice(10, 15).map((m) => m.id));
        const logPosition = String((from - 1n) / 2n);
        // The stand-in reports each request on its stdout, which may arrive
        // after the answer did: wait for the line rather than look for it now.
        await standin.waitFor(
          `a $all read from ${logPosition}`,
          (r) => r.method === "Read" && r.target === "all" && r.from === logPosition,
        );
      });

      it("any JSON crosses the wire and comes back as JSON text would give it (property)", async () => {
        let n = 0;
        const data = fc.array(fc.jsonValue({ maxDepth: 3, stringUnit: "grapheme" }), {
          minLength: 1,
          maxLength: 3,
        });
        await fc.assert(
          fc.asyncProperty(data, async (values) => {
            const stream = `prop-${n++}`;
            await store.append(
              stream,
              values.map((value) => ({ type: "Any", data: value as JsonValue })),
            );
            const back = await store.readStream(stream);
            assert.deepEqual(
              back.map((m) => m.data),
              values.map((value) => JSON.parse(JSON.stringify(value))),
            );
          }),
          propertyParameters(20),
        );
      });

      if (!mode.batchAppend) {
        it("an append the server never answers ends at the client's deadline as StoreUnavailableError, cancelled on the server", async () => {
          const impatient = under.connect(`${standin.url}&defaultDeadline=1500`);
          const waiting = createEventStoreDbStore(impatient.client, {
            ...TRANSPORT_STORE_OPTIONS,
            namespace: "rt",
          });
          try {
            await assert.rejects(
              waiting.append("stall-1", [{ type: "Stalled", data: {} }]),
              (error) => error instanceof StoreUnavailableError && /deadline/i.test(error.message),
            );
            const request = await standin.waitFor(
              "the stalled append",
              (r) => r.event === "request" && r.stream === "rt/stall-1",
            );
            await standin.waitFor(
              "the stalled append's cancellation",
              (r) => r.event === "cancelled" && r.id === request.id,
            );
          } finally {
            await waiting.close();
            await impatient.dispose();
          }
        });
      }
    });
  }
}
