// The NATS store's pure mappings, without a server: subject tokens, batch
// records, global positions, ack subjects and error translation.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import fc from "fast-check";
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { StoreUnavailableError, ValidationError } from "../../core/mod.ts";
import { ConnectionOutages } from "../../stores/nats/jetstream/mod.ts";
import {
  createNatsConsumerStorage,
  createNatsStore,
  type NatsEventStore,
} from "../../stores/nats/mod.ts";
import { createNatsTransport } from "../../transports/nats/mod.ts";
import {
  decodeRecord,
  encodeEntries,
  encodeRecord,
  fromGlobalPosition,
  POSITIONS_PER_SEQUENCE,
  recordedMessages,
  toGlobalPosition,
} from "../../stores/nats/batch_record.ts";
import { parseAckSubject } from "../../stores/nats/jetstream/mod.ts";
import { storeSubjects } from "../../stores/nats/subjects.ts";
import { fromToken, toToken } from "../../stores/nats/jetstream/mod.ts";
import { translateError } from "../../stores/nats/jetstream/mod.ts";
import { propertyParameters } from "../contract/_store_properties.ts";

const TOKEN = /^[A-Za-z0-9_~-]+$/;

describe("NATS subject tokens", () => {
  it("toToken() makes a valid token that fromToken() reverses, for any text", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }), (text) => {
        const token = toToken(text);
        assert.match(token, TOKEN);
        assert.equal(fromToken(token), text);
      }),
      propertyParameters(500),
    );
  });

  it("toToken() never gives two texts the same token", () => {
    fc.assert(
      fc.property(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 12 }),
        (a, b) => {
          fc.pre(a !== b);
          assert.notEqual(toToken(a), toToken(b));
        },
      ),
      propertyParameters(500),
    );
  });

  it("a stream name is one subject under its category's filter, and reads back", () => {
    const subjects = storeSubjects("ordo.shop");
    const name = "account.v2:x-5f1c-4d2e.*>';ü";
    const subject = subjects.stream(name);
    assert.equal(subject.split(".").length, 4);
    assert.ok(subject.startsWith("ordo.shop.account~2Ev2~3Ax."));
    assert.equal(subjects.category("account.v2:x"), "ordo.shop.account~2Ev2~3Ax.*");
    assert.equal(subjects.streamOf(subject), name);
  });
});

describe("NATS batch records and global positions", () => {
  it("positions keep the order of (sequence, index), and map back", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.nat(POSITIONS_PER_SEQUENCE - 1),
        fc.integer({ min: 1, max: 2 ** 40 }),
        fc.nat(POSITIONS_PER_SEQUENCE - 1),
        (s1, i1, s2, i2) => {
          const p1 = toGlobalPosition(s1, i1);
          const p2 = toGlobalPosition(s2, i2);
          assert.deepEqual(fromGlobalPosition(p1), { seq: s1, index: i1 });
          assert.equal(p1 < p2, s1 < s2 || (s1 === s2 && i1 < i2));
        },
      ),
      propertyParameters(500),
    );
  });

  it("a record reads back as the append's messages, numbered from its first version", () => {
    const messages = [
      { id: "a", type: "A", data: { n: 1 }, metadata: { timestamp: "t" } },
      { id: "b", type: "B", data: [1, "x"], metadata: { timestamp: "t", tenant: "acme" } },
    ];
    const record = decodeRecord(encodeRecord("order-1", 7, 41, encodeEntries(messages)))!;
    assert.equal(record.previous, 41);
    const read = recordedMessages(record, 42, 1);
    assert.deepEqual(read.map((m) => [m.id, m.streamVersion, m.globalPosition]), [
      ["b", 8, toGlobalPosition(42, 1)],
    ]);
    assert.deepEqual(read[0].metadata, { timestamp: "t", tenant: "acme" });
    assert.equal(decodeRecord("not json"), undefined);
    assert.equal(decodeRecord('{"s":1}'), undefined);
  });
});

describe("NATS ack subjects and errors", () => {
  it("parseAckSubject() reads both ack subject forms", () => {
    assert.deepEqual(parseAckSubject("$JS.ACK.ORDO.c1.2.42.7.1796582478942169369.3"), {
      consumer: "c1",
      delivered: 2,
      seq: 42,
      pending: 3,
    });
    assert.deepEqual(
      parseAckSubject("$JS.ACK.hub.ACCHASH.ORDO.c1.1.9.4.1796582478942169369.0.xyz"),
      { consumer: "c1", delivered: 1, seq: 9, pending: 0 },
    );
    assert.equal(parseAckSubject("orders.1"), undefined);
  });

  it("translateError() names an election's JetStreamNotEnabled as a retryable unavailability", () => {
    const cause = Object.assign(new Error("jetstream is not enabled"), {
      name: "JetStreamNotEnabled",
    });
    const error = translateError(cause, "append");
    assert.ok(error instanceof StoreUnavailableError);
    assert.equal(error.cause, cause);
    assert.match(error.message, /leader election/);
    assert.match(error.message, /JetStreamNotEnabled/);
    const noResponders = Object.assign(new Error("no responders: 'ordo.order.1'"), {
      name: "RequestError",
    });
    assert.ok(translateError(noResponders, "append") instanceof StoreUnavailableError);
    const timeout = Object.assign(new Error("timeout"), { name: "TimeoutError" });
    assert.match(
      (translateError(timeout, "readAll") as Error).message,
      /^Store unavailable during readAll: /,
    );
    const other = new RangeError("boom");
    assert.equal(translateError(other, "append"), other);
  });
});

describe("NATS factories' options", () => {
  // Shaped as a connection: the factories check their options before they use it.
  const connection = {
    request: () => Promise.reject(new Error("unused")),
    subscribe: () => {
      throw new Error("unused");
    },
    publish: () => {},
  } as unknown as NatsConnection;
  const refused = (path: string, nearest: string) => (error: unknown) =>
    error instanceof ValidationError && error.path === path &&
    error.message.includes(`did you mean "${nearest}"?`);

  it("createNatsConsumerStorage refuses a logger that is not one", () => {
    assert.throws(
      () => createNatsConsumerStorage(connection, { headers, logger: console.log } as never),
      (error: unknown) =>
        error instanceof ValidationError && error.path === "options.logger" &&
        /expected a Logger/.test(error.message),
    );
  });

  it("createNatsStore, createNatsConsumerStorage and createNatsTransport refuse an unknown key, naming the nearest", () => {
    assert.throws(
      () => createNatsStore(connection, { headers, replica: 3 } as never),
      refused("options.replica", "replicas"),
    );
    assert.throws(
      () => createNatsConsumerStorage(connection, { headers, bucketz: "b" } as never),
      refused("options.bucketz", "bucket"),
    );
    assert.throws(
      () => createNatsConsumerStorage(connection, { headers, loger: console } as never),
      refused("options.loger", "logger"),
    );
    const store = { append: () => {}, stream: "ORDO" } as unknown as NatsEventStore;
    assert.throws(
      () => createNatsTransport(connection, { headers, store, ackwait: 5 } as never),
      refused("options.ackwait", "ackWait"),
    );
  });
});

describe("NATS connection outages", () => {
  it("during() gives the part of a window the connection was down, and whether it still is", () => {
    const outages = new ConnectionOutages();
    assert.equal(outages.during(0, 10_000), undefined);
    outages.lost("n1:4222", 1_000);
    outages.back(3_000);
    assert.equal(outages.during(3_000, 9_000), undefined, "over before the window");
    assert.deepEqual(outages.during(2_000, 9_000), {
      server: "n1:4222",
      downMs: 1_000,
      still: false,
    });
    outages.lost("n2:4222", 8_000);
    assert.equal(outages.down, true);
    assert.deepEqual(outages.during(0, 9_500), { server: "n2:4222", downMs: 3_500, still: true });
    outages.back(9_600);
    assert.equal(outages.down, false);
  });

  it("says since when a call with no answer found the server unreachable: its start, or the connection's loss if earlier", () => {
    const outages = new ConnectionOutages();
    // Up all along: a request that timed out says its start; a long poll says nothing.
    assert.equal(outages.unreachableSince(5_000, false, 10_000), 5_000);
    assert.equal(outages.unreachableSince(5_000, true, 10_000), undefined);
    outages.lost("n1:4222", 7_000);
    // Lost during the call: the request still says its start (earlier), the poll the loss.
    assert.equal(outages.unreachableSince(5_000, false, 10_000), 5_000);
    assert.equal(outages.unreachableSince(5_000, true, 10_000), 7_000);
    // Lost before the call, still down: the loss, for both.
    assert.equal(outages.unreachableSince(8_000, false, 10_000), 7_000);
    assert.equal(outages.unreachableSince(8_000, true, 10_000), 7_000);
    outages.back(9_000);
    // Back before the call began: nothing of that outage.
    assert.equal(outages.unreachableSince(9_500, false, 10_000), 9_500);
    assert.equal(outages.lostAt(9_500, 10_000), undefined);
    assert.equal(outages.lostAt(8_500, 10_000), 7_000);
  });
});
