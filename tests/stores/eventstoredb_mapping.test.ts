// The EventStoreDB adapter's mapping, as pure functions: no server. These
// prove the translation rules, not the server's behaviour; the contract suite
// in eventstoredb.test.ts does that, against a real server only.
import assert from "node:assert/strict";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import fc from "fast-check";
import { EventStoreDBClient } from "@eventstore/db-client";
import type { RecordedEvent } from "@eventstore/db-client";
import {
  ClosedError,
  ConcurrencyError,
  StoreUnavailableError,
  ValidationError,
} from "../../mod.ts";
import { resolveAppendRetry, validateMessages } from "../../core/mod.ts";
import { validateClient } from "../../stores/eventstoredb/client.ts";
import {
  toEventData,
  toMetadata,
  toRecordedMessage,
} from "../../stores/eventstoredb/event_mapping.ts";
import {
  fromCurrentRevision,
  toExpectedRevision,
} from "../../stores/eventstoredb/expected_revision.ts";
import {
  readStartFor,
  toGlobalPosition,
  toLogPosition,
  UNKNOWN_LOG_POSITION,
} from "../../stores/eventstoredb/global_position.ts";
import {
  fromIndexEvent,
  isSameBatch,
  rangesToConfirm,
  storedPositions,
  toIndexEvent,
} from "../../stores/eventstoredb/id_index.ts";
import { createEventStoreDbStore } from "../../stores/eventstoredb/mod.ts";
import {
  pageSizeFor,
  subscriptionFilter,
  toReadAllOptions,
  toReadStreamOptions,
} from "../../stores/eventstoredb/read_options.ts";
import {
  fromEventStoreStream,
  idIndexStream,
  streamNaming,
  toEventStoreStream,
  validateNamespace,
} from "../../stores/eventstoredb/stream_names.ts";
import { translateError } from "../../stores/eventstoredb/translate_error.ts";

const plain = streamNaming(undefined);
const shop = streamNaming("shop");

function event(fields: Partial<RecordedEvent> = {}): RecordedEvent {
  return {
    streamId: "order-1",
    id: "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a",
    isJson: true,
    revision: 0n,
    type: "OrderPlaced",
    created: new Date("2026-01-01T00:00:00.000Z"),
    data: { total: 3 },
    metadata: { timestamp: "2025-12-31T23:59:59.000Z" },
    position: { commit: 1000n, prepare: 1000n },
    ...fields,
  } as RecordedEvent;
}

describe("toExpectedRevision() and fromCurrentRevision()", () => {
  it("maps every expected version to EventStoreDB's expected revision", () => {
    assert.equal(toExpectedRevision(0), 0n);
    assert.equal(toExpectedRevision(41), 41n);
    assert.equal(toExpectedRevision("no-stream"), "no_stream");
    assert.equal(toExpectedRevision("exists"), "stream_exists");
    assert.equal(toExpectedRevision("any"), "any");
  });

  it("reads a current revision as a version, and no stream as undefined", () => {
    assert.equal(fromCurrentRevision(4n), 4);
    assert.equal(fromCurrentRevision("no_stream"), undefined);
    assert.equal(fromCurrentRevision(undefined), undefined);
    assert.equal(fromCurrentRevision(-1n), undefined);
  });
});

describe("toGlobalPosition(), toLogPosition() and readStartFor()", () => {
  it("numbers an event at log position L as 2L + 1", () => {
    assert.equal(toGlobalPosition({ commit: 0n, prepare: 0n }), 1n);
    assert.equal(toGlobalPosition({ commit: 1024n, prepare: 1024n }), 2049n);
    assert.deepEqual(toLogPosition(2049n), { commit: 1024n, prepare: 1024n });
  });

  it("gives no position when the server reports none", () => {
    assert.equal(toGlobalPosition(undefined), undefined);
    assert.equal(
      toGlobalPosition({ commit: UNKNOWN_LOG_POSITION, prepare: UNKNOWN_LOG_POSITION }),
      undefined,
    );
  });

  it("refuses an event of an explicit transaction (commit differs from prepare)", () => {
    assert.throws(
      () => toGlobalPosition({ commit: 2000n, prepare: 1500n }),
      /explicit transaction/,
    );
  });

  it("keeps $all order, never gives 0n, and round-trips (property)", () => {
    const offset = fc.bigInt({ min: 0n, max: 2n ** 62n });
    fc.assert(fc.property(offset, offset, (a, b) => {
      const ga = toGlobalPosition({ commit: a, prepare: a })!;
      const gb = toGlobalPosition({ commit: b, prepare: b })!;
      assert.ok(ga > 0n && ga % 2n === 1n);
      assert.equal(a < b, ga < gb);
      assert.deepEqual(toLogPosition(ga), { commit: a, prepare: a });
    }));
  });

  it("starts a read from the start, at an event, or at the event a checkpoint names", () => {
    assert.equal(readStartFor(0n), "start");
    assert.equal(readStartFor(1n), "start");
    assert.deepEqual(readStartFor(2049n), { commit: 1024n, prepare: 1024n });
    assert.deepEqual(readStartFor(2050n), { commit: 1024n, prepare: 1024n });
  });

  it("starts every read of p or p + 1n at p's own record (property)", () => {
    fc.assert(fc.property(fc.bigInt({ min: 1n, max: 2n ** 62n }), (log) => {
      const p = toGlobalPosition({ commit: log, prepare: log })!;
      assert.deepEqual(readStartFor(p), { commit: log, prepare: log });
      assert.deepEqual(readStartFor(p + 1n), { commit: log, prepare: log });
    }));
  });
});

describe("stream names", () => {
  it("accepts a namespace of letters, digits, _, . and : only", () => {
    assert.equal(validateNamespace("shop_1.eu:a"), "shop_1.eu:a");
    assert.equal(validateNamespace(undefined), undefined);
    for (const bad of ["", "a/b", "a-b", "$all", 5, "x".repeat(101)]) {
      assert.throws(
        () => validateNamespace(bad),
        (error) => error instanceof ValidationError && error.path === "options.namespace",
      );
    }
  });

  it("prefixes and strips the namespace", () => {
    assert.equal(toEventStoreStream(plain, "order-1"), "order-1");
    assert.equal(toEventStoreStream(shop, "order-1"), "shop/order-1");
    assert.equal(fromEventStoreStream(shop, "shop/order-1"), "order-1");
    assert.equal(fromEventStoreStream(shop, "shop/order-a/b"), "order-a/b");
    assert.equal(fromEventStoreStream(plain, "order-1"), "order-1");
  });

  it("hides other namespaces, system streams, index streams and names that are not category-id", () => {
    assert.equal(fromEventStoreStream(shop, "order-1"), undefined);
    assert.equal(fromEventStoreStream(streamNaming("a"), "a_b/order-1"), undefined);
    assert.equal(fromEventStoreStream(plain, "shop/order-1"), undefined);
    assert.equal(fromEventStoreStream(plain, "$ce-order"), undefined);
    assert.equal(fromEventStoreStream(plain, "$$order-1"), undefined);
    assert.equal(fromEventStoreStream(plain, "orders"), undefined);
    const id = crypto.randomUUID();
    assert.equal(fromEventStoreStream(plain, idIndexStream(plain, id)), undefined);
    assert.equal(fromEventStoreStream(shop, idIndexStream(shop, id)), undefined);
    assert.equal(idIndexStream(shop, id), `shop/ordo#id-${id}`);
  });
});

describe("translateError()", () => {
  it("turns a wrong expected version into a ConcurrencyError naming stream, expectation and version", () => {
    const cause = {
      type: "wrong-expected-version",
      streamName: "shop/order-1",
      expectedVersion: 3n,
      actualVersion: 5n,
    };
    const error = translateError(cause, "append", { streamName: "order-1", expectedVersion: 3 });
    assert.ok(error instanceof ConcurrencyError);
    assert.equal(error.streamName, "order-1");
    assert.equal(error.expectedVersion, 3);
    assert.equal(error.actualVersion, 5);
    assert.equal(error.cause, cause);
    assert.equal(
      error.message,
      'Cannot append to stream "order-1": expected version 3, current version is 5',
    );
  });

  it("reports a stream that does not exist as version undefined", () => {
    const error = translateError(
      { type: "wrong-expected-version", actualVersion: "no_stream" },
      "append",
      {
        streamName: "order-1",
        expectedVersion: "exists",
      },
    );
    assert.ok(error instanceof ConcurrencyError);
    assert.equal(error.actualVersion, undefined);
  });

  it("turns unavailable, deadline and timeout errors into StoreUnavailableError", () => {
    const cases = [
      { type: "unavailable", code: 14, message: "14 UNAVAILABLE: No connection established" },
      { type: "deadline-exceeded", code: 4, message: "4 DEADLINE_EXCEEDED" },
      { type: "timeout", message: "timed out" },
      { type: "not-leader", message: "not leader" },
      // What the client throws from appendToStream on a refused connection: a plain Error with a gRPC code.
      Object.assign(new Error("14 UNAVAILABLE: No connection established"), { code: 14 }),
    ];
    for (const cause of cases) {
      const error = translateError(cause, "readAll");
      assert.ok(error instanceof StoreUnavailableError, String(cause.message));
      assert.equal(error.operation, "readAll");
      assert.equal(error.cause, cause);
      assert.equal(error.message, `Store unavailable during readAll: ${cause.message}`);
    }
  });

  it("keeps every other error as it is", () => {
    const denied = { type: "access-denied", message: "Access denied" };
    assert.equal(translateError(denied, "readAll"), denied);
    const wev = { type: "wrong-expected-version" };
    assert.equal(translateError(wev, "readAll"), wev, "only an append names a conflict");
    const ordo = new ValidationError("x", 1, "bad");
    assert.equal(translateError(ordo, "append"), ordo);
  });
});

describe("toEventData() and toRecordedMessage()", () => {
  it("round-trips data and metadata through a JSON event", () => {
    const [message] = validateMessages([{
      type: "OrderPlaced",
      data: { total: 12.5, items: [{ sku: "a" }], note: null },
      metadata: { correlationId: "c-1", causationId: "c-0", schemaVersion: 2, tenant: "acme" },
    }]);
    const data = toEventData(message);
    assert.deepEqual(data, {
      id: message.id,
      contentType: "application/json",
      type: "OrderPlaced",
      data: message.data,
      metadata: message.metadata,
    });
    // What the client does on the way: JSON text out, JSON text back.
    const read = toRecordedMessage(
      event({
        streamId: "shop/order-1",
        id: message.id.toUpperCase(),
        revision: 4n,
        data: JSON.parse(JSON.stringify(data.data)),
        metadata: JSON.parse(JSON.stringify(data.metadata)),
      }),
      shop,
    )!;
    assert.equal(read.id, message.id, "ids compare in lower case");
    assert.equal(read.streamName, "order-1");
    assert.equal(read.streamVersion, 4);
    assert.equal(read.globalPosition, 2001n);
    assert.deepEqual(read.data, message.data);
    assert.deepEqual(read.metadata, message.metadata);
    assert.ok(
      Object.isFrozen(read) && Object.isFrozen(read.data) && Object.isFrozen(read.metadata),
    );
  });

  it("skips events that are not this store's messages", () => {
    assert.equal(toRecordedMessage(event({ isJson: false } as never), plain), undefined);
    assert.equal(toRecordedMessage(event({ type: "$>" }), plain), undefined);
    assert.equal(toRecordedMessage(event({ streamId: "$ce-order" }), plain), undefined);
    assert.equal(toRecordedMessage(event({ streamId: "order-1" }), shop), undefined);
  });

  it("refuses an event the server gave no position", () => {
    assert.throws(() => toRecordedMessage(event({ position: undefined }), plain), /22\.6/);
  });

  it("uses the event's creation time when its metadata has no timestamp", () => {
    assert.deepEqual(toMetadata(undefined, new Date(0)), { timestamp: "1970-01-01T00:00:00.000Z" });
    assert.deepEqual(toMetadata({ tenant: "a" }, new Date(0)), {
      tenant: "a",
      timestamp: "1970-01-01T00:00:00.000Z",
    });
    assert.deepEqual(toMetadata(new Uint8Array([1]), new Date(0)), {
      timestamp: "1970-01-01T00:00:00.000Z",
    });
  });
});

describe("read options", () => {
  it("maps stream reads in both directions", () => {
    assert.deepEqual(
      toReadStreamOptions({ direction: "forward", from: undefined, limit: Infinity }),
      { direction: "forwards", fromRevision: "start" },
    );
    assert.deepEqual(toReadStreamOptions({ direction: "forward", from: 2, limit: 3 }), {
      direction: "forwards",
      fromRevision: 2n,
      maxCount: 3,
    });
    assert.deepEqual(toReadStreamOptions({ direction: "backward", from: undefined, limit: 1 }), {
      direction: "backwards",
      fromRevision: "end",
      maxCount: 1,
    });
    assert.deepEqual(toReadStreamOptions({ direction: "backward", from: 7, limit: Infinity }), {
      direction: "backwards",
      fromRevision: 7n,
    });
  });

  it("builds $all pages and the subscription filter", () => {
    assert.deepEqual(toReadAllOptions("end", "backward", 256), {
      direction: "backwards",
      fromPosition: "end",
      maxCount: 256,
    });
    assert.equal(pageSizeFor(1), 256);
    assert.equal(pageSizeFor(1000), 1001);
    assert.equal(pageSizeFor(100_000), 4096);
    assert.deepEqual(subscriptionFilter(shop), {
      filterOn: "streamName",
      prefixes: ["shop/"],
      checkpointInterval: 1000,
    });
    assert.deepEqual(subscriptionFilter(plain), {
      filterOn: "eventType",
      regex: "^[^$]",
      checkpointInterval: 1000,
    });
  });
});

describe("the id index", () => {
  const ids = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
  const batch = validateMessages(ids.map((id) => ({ id, type: "T", data: {} })));
  const stored = (streamName: string, first: number) =>
    batch.map((m, i) => ({
      ...m,
      streamName,
      streamVersion: first + i,
      globalPosition: BigInt(101 + 2 * (first + i)),
    }));

  it("writes and reads an index entry", () => {
    const written = toIndexEvent(ids[0], { streamName: "order-1", streamVersion: 2 });
    assert.equal(written.id, ids[0]);
    assert.deepEqual(fromIndexEvent(written as never), { streamName: "order-1", streamVersion: 2 });
    assert.equal(fromIndexEvent(undefined), undefined);
    assert.equal(fromIndexEvent({ type: "Other", data: {} } as never), undefined);
    assert.equal(
      fromIndexEvent({ type: written.type, data: { streamName: 1 } } as never),
      undefined,
    );
  });

  it("reads the whole range a batch would take, also past entries never written", () => {
    const ranges = rangesToConfirm([
      { streamName: "order-1", streamVersion: 4 },
      undefined,
      undefined,
    ], 3);
    assert.deepEqual([...ranges], [["order-1", { from: 4, count: 3 }]]);
    const middle = rangesToConfirm([undefined, { streamName: "order-1", streamVersion: 4 }, {
      streamName: "user-1",
      streamVersion: 0,
    }], 3);
    assert.deepEqual([...middle], [["order-1", { from: 3, count: 3 }], ["user-1", {
      from: 0,
      count: 1,
    }]]);
  });

  it("gives resolveAppendRetry the positions it needs for a retry", () => {
    const found = stored("order-1", 2);
    const retry = resolveAppendRetry("order-1", batch, storedPositions(batch, found))!;
    assert.equal(retry.deduplicated, true);
    assert.deepEqual(retry.positions.map((p) => p.streamVersion), [2, 3, 4]);
    assert.ok(isSameBatch(batch, found));
    assert.ok(!isSameBatch(batch, found.slice(1)));
    assert.ok(!isSameBatch(batch, [...found].reverse()));
  });

  it("makes resolveAppendRetry refuse an id stored in another stream", () => {
    const found = stored("order-2", 0).slice(0, 1);
    assert.throws(
      () => resolveAppendRetry("order-1", batch, storedPositions(batch, found)),
      /already stored in stream "order-2"/,
    );
  });
});

describe("createEventStoreDbStore()", () => {
  it("refuses something that is not a client, and a bad namespace", () => {
    assert.throws(
      () => validateClient(null),
      (error) => error instanceof ValidationError && error.path === "client",
    );
    assert.throws(
      () => createEventStoreDbStore({ appendToStream() {} } as never),
      (error) => error instanceof ValidationError && /no readStream\(\)/.test(error.message),
    );
    const client = EventStoreDBClient.connectionString("esdb://127.0.0.1:1?tls=false");
    assert.throws(() => createEventStoreDbStore(client, { namespace: "a/b" }), ValidationError);
  });

  // The real client (not a fake), against a port where nothing listens: this
  // proves the client loads and fails cleanly on this runtime, nothing more.
  it("turns a refused connection into StoreUnavailableError with the real client", async () => {
    const port = await closedPort();
    const client = EventStoreDBClient.connectionString(`esdb://127.0.0.1:${port}?tls=false`);
    // A closed port never sends GOAWAY, so this is safe on Deno, which the store refuses by default.
    const store = createEventStoreDbStore(client, { namespace: "t", unsupportedRuntime: "allow" });
    try {
      for (
        const call of [
          () => store.append("order-1", [{ type: "T", data: {} }]),
          () => store.readStream("order-1"),
          () => store.readAll().toArray(),
          () => store.readPage(),
          () => store.headPosition(),
        ]
      ) {
        await assert.rejects(call(), (error) => {
          assert.ok(
            error instanceof StoreUnavailableError,
            `expected StoreUnavailableError, got ${error}`,
          );
          assert.match(error.message, /UNAVAILABLE/);
          return true;
        });
      }
      assert.equal(await store.waitForAppend(0n, { timeout: 50 }), false);
    } finally {
      await store.close();
      await client.dispose();
    }
    await assert.rejects(store.readAll().toArray(), ClosedError);
  });
});

// A port on 127.0.0.1 that was free a moment ago: bound, then released.
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}
