// The NOTIFY after appends carries the readable head, computed once by the
// writer's NOTIFY statement, so that every woken reader can skip its own head
// query. What must hold: the head it carries never passes an append still in
// flight (a reader woken by it would otherwise be told a position is readable
// before it is), and listeners trust only heads in that form.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createPostgresStore } from "../../stores/postgres/mod.ts";
import {
  HEAD_PAYLOAD_PREFIX,
  headInPayload,
  notifyChannel,
} from "../../stores/postgres/notify_payload.ts";
import { usePostgres } from "../_postgres_fixture.ts";

describe("headInPayload", () => {
  it("reads the head of a payload in the store's form", () => {
    assert.equal(headInPayload(`${HEAD_PAYLOAD_PREFIX}0`), 0n);
    assert.equal(headInPayload(`${HEAD_PAYLOAD_PREFIX}9223372036854775807`), 9223372036854775807n);
  });

  it("finds no head in any other payload", () => {
    for (
      const payload of [
        "",
        "42",
        `${HEAD_PAYLOAD_PREFIX}`,
        `${HEAD_PAYLOAD_PREFIX}-1`,
        `${HEAD_PAYLOAD_PREFIX}1x`,
        `x${HEAD_PAYLOAD_PREFIX}1`,
      ]
    ) {
      assert.equal(headInPayload(payload), undefined, JSON.stringify(payload));
    }
  });
});

describe("PostgreSQL store NOTIFY carrying the readable head", () => {
  const pg = usePostgres({ max: 10, schema: "told", store: { pollInterval: 60_000 } });
  const channel = notifyChannel("told");

  /** Listens on the store's channel; `next()` is the next payload heard. */
  async function payloads() {
    const heard: string[] = [];
    let wake: (() => void) | undefined;
    const listening = await pg.sql.listen(channel, (payload) => {
      heard.push(payload);
      wake?.();
    });
    return {
      async next(): Promise<string> {
        const deadline = Date.now() + 10_000;
        while (heard.length === 0) {
          assert.ok(Date.now() < deadline, "no NOTIFY heard within 10 s");
          await new Promise<void>((resolve) => {
            wake = resolve;
            setTimeout(resolve, 100);
          });
        }
        return heard.shift()!;
      },
      unlisten: () => listening.unlisten(),
    };
  }

  it("tells a head below an append still in flight, and past it once it has committed", async () => {
    const heard = await payloads();
    // A client of its own holds the append open, as a slow writer would.
    const slowWriter = pg.client();
    try {
      const payload = JSON.stringify([{
        id: crypto.randomUUID(),
        type: "Slow",
        data: {},
        metadata: {},
      }]);
      await slowWriter.unsafe("BEGIN");
      const [slow] = await slowWriter.unsafe(
        "SELECT global_position::text AS p FROM told.append('slow-1', 'any', $1::text::jsonb)",
        [payload],
      );
      const fast = await pg.store.append("fast-1", [{ type: "Fast", data: {} }]);
      assert.ok(fast.globalPosition > BigInt(slow.p));
      const told = headInPayload(await heard.next());
      assert.ok(told !== undefined, "the store's NOTIFY carried no head");
      assert.ok(
        told < BigInt(slow.p),
        `the NOTIFY told head ${told}, past ${slow.p}, still in flight`,
      );

      await slowWriter.unsafe("COMMIT");
      const later = await pg.store.append("fast-1", [{ type: "Fast", data: {} }]);
      const toldLater = headInPayload(await heard.next());
      assert.equal(
        toldLater,
        later.globalPosition,
        "after the slow append committed, the NOTIFY told the newest position",
      );
    } finally {
      await slowWriter.end({ timeout: 1 });
      await heard.unlisten();
    }
  });

  /**
   * A reader in a store of its own, whose poll comes only after a minute,
   * waits past the head while a NOTIFY with `payload(head)` is sent and
   * nothing is appended: whether the NOTIFY woke it, and the head after.
   */
  async function wokenBy(payload: (head: bigint) => string, timeout: number) {
    const reader = createPostgresStore(pg.sql, { schema: "told", pollInterval: 60_000 });
    try {
      const head = await reader.headPosition();
      const waiting = reader.waitForAppend(head, { timeout });
      await new Promise((r) => setTimeout(r, 100)); // the LISTEN is in place
      await pg.sql.unsafe("SELECT pg_notify($1, $2)", [channel, payload(head)]);
      return { woken: await waiting, before: head, after: await reader.headPosition() };
    } finally {
      await reader.close();
    }
  }

  it("wakes a waiting reader from the head a NOTIFY carries, with no head query of its own", async () => {
    // A head query would find nothing new: only the head in the payload can wake it.
    const { woken } = await wokenBy((head) => `${HEAD_PAYLOAD_PREFIX}${head + 1n}`, 10_000);
    assert.equal(woken, true, "the head in the NOTIFY did not wake the reader");
  });

  it("asks for the head itself when a NOTIFY carries none, as plain SQL or an older store sends", async () => {
    // A bare number, as migration 4's functions sent: not trusted as a head.
    const { woken, before, after } = await wokenBy((head) => String(head + 1n), 1_000);
    assert.equal(woken, false, "a payload not in the store's form woke the reader");
    assert.equal(after, before, "a payload not in the store's form moved the head");
  });
});
