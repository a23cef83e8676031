// Appends that resolve before their global positions are known
// (`awaitGlobalPosition: false`): the same per-stream checks as any append,
// and once numbered, the same safe global order, reached without anyone
// having to nudge the store.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { ConcurrencyError, type EventStore, type RecordedMessage } from "../../mod.ts";
import { isStrictlyIncreasing, messages, readEverything, withStore } from "./_fixtures.ts";
import { propertyParameters } from "./_store_properties.ts";
import type { StoreContractOptions } from "./store.ts";

const DEFERRED = { awaitGlobalPosition: false } as const;

/** Reads the whole store from `from`, waiting for appends, until `count` messages were seen. */
async function follow(
  store: EventStore,
  count: number,
  pageSize: number,
): Promise<RecordedMessage[]> {
  const seen: RecordedMessage[] = [];
  let from = 0n;
  while (seen.length < count) {
    const { messages: page } = await store.readPage({ from, limit: pageSize });
    for (const m of page) {
      assert.ok(m.globalPosition >= from, `read ${m.globalPosition} below ${from}`);
      seen.push(m);
    }
    if (page.length > 0) {
      from = page[page.length - 1].globalPosition + 1n;
      continue;
    }
    const woken = await store.waitForAppend(from - 1n, { timeout: 10_000 });
    assert.ok(
      woken,
      `no message past ${from - 1n} became readable within 10 s; ${seen.length} of ${count} seen`,
    );
  }
  return seen;
}

export function testStoreDeferred(options: StoreContractOptions): void {
  const runs = options.propertyRuns ?? 100;

  describe("appends that do not wait for global positions", () => {
    it("resolve with stream versions, and their messages become readable in global order on their own", async () => {
      await withStore(options, async (store) => {
        const first = await store.append("order-1", messages(2), {
          ...DEFERRED,
          expectedVersion: "no-stream",
        });
        assert.equal(first.streamVersion, 1);
        assert.deepEqual(first.positions.map((p) => p.streamVersion), [0, 1]);
        const second = await store.append("order-1", messages(1), {
          ...DEFERRED,
          expectedVersion: 1,
        });
        assert.equal(second.streamVersion, 2);
        // The stream reads back at once, numbered.
        const stream = await store.readStream("order-1");
        assert.deepEqual(stream.map((m) => m.streamVersion), [0, 1, 2]);
        assert.ok(isStrictlyIncreasing(stream.map((m) => m.globalPosition)));
        const all = await follow(store, 3, 10);
        assert.deepEqual(
          all.map((m) => m.id),
          [...first.positions, ...second.positions].map((p) => p.id),
        );
        // A position the append did report is the one readers see.
        for (const p of [...first.positions, ...second.positions]) {
          if (p.globalPosition !== undefined) {
            assert.equal(
              p.globalPosition,
              all.find((m) => m.id === p.id)?.globalPosition,
            );
          }
        }
      });
    });

    it("check the expected version like any append", async () => {
      await withStore(options, async (store) => {
        await store.append("order-1", messages(1), DEFERRED);
        await assert.rejects(
          store.append("order-1", messages(1), { ...DEFERRED, expectedVersion: "no-stream" }),
          (error) => {
            assert.ok(error instanceof ConcurrencyError);
            assert.equal(error.actualVersion, 0);
            return true;
          },
        );
      });
    });

    it("are recognised as retries by their ids", async () => {
      await withStore(options, async (store) => {
        const batch = messages(2);
        const original = await store.append("order-1", batch, DEFERRED);
        const again = await store.append("order-1", batch, DEFERRED);
        assert.equal(again.deduplicated, true);
        assert.deepEqual(
          again.positions.map((p) => [p.id, p.streamVersion]),
          original.positions.map((p) => [p.id, p.streamVersion]),
        );
        const awaited = await store.append("order-1", batch);
        assert.equal(awaited.deduplicated, true);
        assert.equal(
          typeof awaited.globalPosition,
          "bigint",
          "an awaited retry reports the positions",
        );
        assert.equal((await readEverything(store)).length, 2);
      });
    });

    it("mixed with awaited appends, give a follower every message once, in order, per-stream order intact", async () => {
      const write = fc.record({
        stream: fc.constantFrom("order-1", "order-2", "user-1"),
        count: fc.integer({ min: 1, max: 3 }),
        deferred: fc.boolean(),
      });
      await fc.assert(
        fc.asyncProperty(
          fc.scheduler(),
          fc.array(write, { minLength: 1, maxLength: 12 }),
          fc.integer({ min: 1, max: 4 }),
          (s, writes, pageSize) =>
            withStore(options, async (store) => {
              const total = writes.reduce((sum, w) => sum + w.count, 0);
              const appended = Promise.all(writes.map((w) =>
                s.schedule(Promise.resolve(), `write ${w.stream}${w.deferred ? " (deferred)" : ""}`)
                  .then(() =>
                    store.append(w.stream, messages(w.count), w.deferred ? DEFERRED : undefined)
                  )
              ));
              const [results, seen] = await s.waitFor(
                Promise.all([appended, follow(store, total, pageSize)]),
              );
              assert.ok(
                isStrictlyIncreasing(seen.map((m) =>
                  m.globalPosition
                )),
                "positions out of order",
              );
              assert.equal(
                new Set(seen.map((m) => m.id)).size,
                total,
                "a message seen twice",
              );
              for (const stream of ["order-1", "order-2", "user-1"]) {
                const versions = seen.filter((m) => m.streamName === stream).map((m) =>
                  m.streamVersion
                );
                assert.deepEqual(
                  versions,
                  versions.map((_, i) => i),
                  `${stream} read out of version order`,
                );
              }
              const byId = new Map(seen.map((m) => [m.id, m]));
              for (const result of results) {
                for (const p of result.positions) {
                  const read = byId.get(p.id);
                  assert.equal(read?.streamVersion, p.streamVersion);
                  if (p.globalPosition !== undefined) {
                    assert.equal(read?.globalPosition, p.globalPosition);
                  }
                }
              }
            }),
        ),
        propertyParameters(runs),
      );
    });
  });
}
