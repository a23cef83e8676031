// Idempotent appends on NATS past JetStream's own duplicate window: the id
// index has no time limit, reservations left by failed or crashed appends are
// recognised, and an append too big for one NATS message is refused whole.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import { DuplicateMessageError, type ExpectedVersion, ValidationError } from "../../core/mod.ts";
import { encodeEntries, encodeRecord } from "../../stores/nats/batch_record.ts";
import { encodeEntry } from "../../stores/nats/id_index.ts";
import { bytesOf, JetStreamApi } from "../../stores/nats/jetstream/mod.ts";
import { natsServerMissing } from "../_nats_server.ts";
import { messages, readEverything } from "../contract/_fixtures.ts";
import { propertyParameters } from "../contract/_store_properties.ts";
import { freshStore, useNats } from "./_nats_fixtures.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// JetStream's duplicate window in these tests: retries wait longer than this.
const WINDOW = 300;

if (natsServerMissing !== undefined) {
  describe("NATS store idempotency", () => {
    it.skip(natsServerMissing, () => {});
  });
} else {
  describe("NATS store idempotency", () => {
    const nats = useNats();

    it("append() retried after JetStream's duplicate window returns the original positions", async () => {
      const store = await freshStore(nats.nc, { duplicateWindow: WINDOW });
      try {
        const batch = messages(3);
        const first = await store.append("order-1", batch);
        await store.append("order-1", messages(1));
        await sleep(WINDOW * 2);
        for (const expectedVersion of ["any", "no-stream", 0, "exists"] as const) {
          const retry = await store.append("order-1", batch, { expectedVersion });
          assert.equal(retry.deduplicated, true);
          assert.deepEqual(retry.positions, first.positions);
        }
        await assert.rejects(store.append("user-1", [batch[1]]), (error) => {
          assert.ok(error instanceof DuplicateMessageError);
          assert.equal(error.storedStreamName, "order-1");
          assert.equal(error.storedVersion, 1);
          return true;
        });
        assert.equal((await readEverything(store)).length, 4);
      } finally {
        await store.close();
      }
    });

    it("property: appends retried after the window store nothing twice, whatever their expected version", async () => {
      const plan = fc.array(
        fc.record({
          stream: fc.constantFrom("order-1", "order-2", "user-1"),
          count: fc.integer({ min: 1, max: 4 }),
          retry: fc.constantFrom<ExpectedVersion>("any", "no-stream", "exists", 0, 3),
        }),
        { minLength: 1, maxLength: 6 },
      );
      await fc.assert(
        fc.asyncProperty(plan, async (steps) => {
          const store = await freshStore(nats.nc, { duplicateWindow: WINDOW });
          try {
            const done = [];
            for (const step of steps) {
              const batch = messages(step.count);
              done.push({ step, batch, result: await store.append(step.stream, batch) });
            }
            await sleep(WINDOW * 2);
            for (const { step, batch, result } of done.reverse()) {
              const retry = await store.append(step.stream, batch, {
                expectedVersion: step.retry,
              });
              assert.equal(retry.deduplicated, true);
              assert.deepEqual(retry.positions, result.positions);
            }
            const stored = await readEverything(store);
            assert.equal(stored.length, steps.reduce((n, s) => n + s.count, 0));
            assert.equal(new Set(stored.map((m) => m.id)).size, stored.length);
          } finally {
            await store.close();
          }
        }),
        propertyParameters(8),
      );
    });

    it("append() publishes once an append whose ids were reserved by a writer that stopped before publishing", async () => {
      // The reservation for another stream is taken over after twice the timeout.
      const store = await freshStore(nats.nc, { timeout: 500 });
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        const batch = messages(2);
        // What a writer leaves when it dies between reserving its ids and publishing:
        // one id reserved for this stream, the other for another stream.
        await api.publish(
          `${store.subjectPrefix}_ids.${batch[0].id}`,
          bytesOf(encodeEntry("order-1", 0)),
        );
        await api.publish(
          `${store.subjectPrefix}_ids.${batch[1].id}`,
          bytesOf(encodeEntry("user-9", 0)),
        );
        const result = await store.append("order-1", batch, { expectedVersion: "no-stream" });
        assert.equal(result.deduplicated, false);
        assert.deepEqual(result.positions.map((p) => p.streamVersion), [0, 1]);
        const again = await store.append("order-1", batch);
        assert.equal(again.deduplicated, true);
        // The second id's entry now names order-1: reusing it elsewhere is refused.
        await assert.rejects(
          store.append("user-9", [batch[1]]),
          (error) => error instanceof DuplicateMessageError && error.storedStreamName === "order-1",
        );
        assert.equal((await readEverything(store)).length, 2);
      } finally {
        await store.close();
      }
    });

    it("property: appends racing with one id to different streams store it once, the others refused", async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.constantFrom("order-1", "order-2", "user-1", "user-2"), {
            minLength: 2,
            maxLength: 4,
          }),
          fc.boolean(),
          async (streams, fresh) => {
            const store = await freshStore(nats.nc);
            try {
              const shared = messages(1)[0];
              const outcomes = await Promise.all(
                streams.map((stream) =>
                  store.append(stream, fresh ? [...messages(1), shared] : [shared]).then(
                    (result) => ({ stream, result }),
                    (error: unknown) => ({ stream, error }),
                  )
                ),
              );
              const stored = (await readEverything(store)).filter((m) => m.id === shared.id);
              assert.equal(stored.length, 1, "the shared id is stored once");
              for (const outcome of outcomes) {
                if ("error" in outcome) {
                  assert.ok(outcome.error instanceof DuplicateMessageError, String(outcome.error));
                } else {
                  assert.equal(outcome.stream, stored[0].streamName, "only its stream succeeded");
                }
              }
            } finally {
              await store.close();
            }
          },
        ),
        propertyParameters(15),
      );
    });

    it("append() of an id another writer reserved for another stream waits for that append, then refuses", async () => {
      const store = await freshStore(nats.nc, { timeout: 1000 });
      const api = new JetStreamApi({ connection: nats.nc, headers });
      try {
        const [shared] = messages(1);
        // Another writer has reserved the id for order-1 and is about to publish its record.
        await api.publish(
          `${store.subjectPrefix}_ids.${shared.id}`,
          bytesOf(encodeEntry("order-1", 0)),
        );
        const racing = store.append("user-1", [shared]).then(
          () => "stored",
          (error: unknown) => error,
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        // Its publish lands while this append waits.
        const record = encodeRecord(
          "order-1",
          0,
          0,
          encodeEntries([{
            id: shared.id,
            type: shared.type,
            data: { n: 0 }, // what messages(1) gave it
            metadata: { timestamp: new Date().toISOString() },
          }]),
        );
        await api.publish(`${store.subjectPrefix}.order.1`, bytesOf(record), {
          expectedLastSubjectSequence: 0,
          headers: { "Ordo-Count": "1" },
        });
        const outcome = await racing;
        assert.ok(outcome instanceof DuplicateMessageError, String(outcome));
        assert.equal(outcome.storedStreamName, "order-1");
        assert.deepEqual((await readEverything(store)).map((m) => m.streamName), ["order-1"]);
      } finally {
        api.close();
        await store.close();
      }
    });

    it("append() refuses a batch too big for one NATS message, and writes none of it", async () => {
      const store = await freshStore(nats.nc);
      try {
        await store.append("order-1", messages(1));
        const big = "x".repeat(600 * 1024);
        const batch = [
          { ...messages(1)[0], data: { big } },
          { ...messages(1)[0], data: { big } },
        ];
        await assert.rejects(store.append("order-1", batch), (error) => {
          assert.ok(error instanceof ValidationError);
          assert.equal(error.path, "messages");
          assert.match(error.message, /max_payload/);
          return true;
        });
        assert.equal((await readEverything(store)).length, 1);
        // Each alone fits.
        await store.append("order-1", [batch[0]]);
      } finally {
        await store.close();
      }
    });
  });
}
