// Parked messages a page at a time (listParkedMessages, which the console's
// /api/parked and `ordo parked` use): a group with more entries than the
// limit says how many it has and where its next page starts, and following
// those pages gives every entry once, in global order.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { createMemoryConsumerStorage, type ParkedMessage, ValidationError } from "../../mod.ts";
import { listParkedMessages } from "../../admin/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

function parkedAt(group: string, position: number): ParkedMessage {
  return {
    group,
    partition: 0,
    message: Object.freeze({
      id: crypto.randomUUID(),
      type: "OrderPlaced",
      data: { position },
      metadata: { timestamp: "2026-12-07T00:00:00.000Z" },
      streamName: `order-${position}`,
      streamVersion: 0,
      globalPosition: BigInt(position),
    }),
    error: { name: "Error", message: "no" },
    attempts: 1,
    parkedAt: "2026-12-07T00:00:00.000Z",
  };
}

describe("listParkedMessages", () => {
  it("lists every group a page each, and says which have more, how many, and where to go on", async () => {
    const storage = createMemoryConsumerStorage();
    for (let p = 1; p <= 5; p++) await storage.parked.park(parkedAt("billing", p * 2));
    await storage.parked.park(parkedAt("audit", 3));
    const listing = await listParkedMessages(storage, { limit: 2 });
    assert.deepEqual(listing.groups, ["audit", "billing"]);
    assert.deepEqual(
      listing.entries.map((e) => [e.group, Number(e.message.globalPosition)]),
      [["audit", 3], ["billing", 2], ["billing", 4]],
    );
    assert.deepEqual(listing.more, [{ group: "billing", shown: 2, count: 5, after: 4n }]);
    const next = await listParkedMessages(storage, { group: "billing", limit: 2, after: 4n });
    assert.deepEqual(next.entries.map((e) => Number(e.message.globalPosition)), [6, 8]);
    assert.deepEqual(next.more, [{ group: "billing", shown: 2, count: 5, after: 8n }]);
    const last = await listParkedMessages(storage, { group: "billing", limit: 2, after: 8n });
    assert.deepEqual(last.entries.map((e) => Number(e.message.globalPosition)), [10]);
    assert.deepEqual(last.more, []);
  });

  it("refuses a bad limit, and after without a group", async () => {
    const storage = createMemoryConsumerStorage();
    await assert.rejects(listParkedMessages(storage, { limit: 0 }), ValidationError);
    await assert.rejects(
      listParkedMessages(storage, { after: 3n }),
      (e) => e instanceof ValidationError && e.path === "after",
    );
  });

  it("property: following the pages gives every entry of the group once, in global order", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 1, max: 10_000 }), { maxLength: 40 }),
        fc.integer({ min: 1, max: 12 }),
        async (positions, limit) => {
          const storage = createMemoryConsumerStorage();
          for (const p of positions) await storage.parked.park(parkedAt("billing", p));
          const seen: number[] = [];
          let after: bigint | undefined;
          for (let pages = 0; pages <= positions.length + 1; pages++) {
            const page = await listParkedMessages(storage, {
              group: "billing",
              limit,
              ...(after === undefined ? {} : { after }),
            });
            assert.ok(page.entries.length <= limit);
            seen.push(...page.entries.map((e) => Number(e.message.globalPosition)));
            if (page.more.length === 0) break;
            assert.equal(page.more[0].count, positions.length);
            after = page.more[0].after;
          }
          assert.deepEqual(seen, [...positions].sort((a, b) => a - b));
        },
      ),
      propertyParameters(60),
    );
  });
});
