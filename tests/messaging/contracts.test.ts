// Message contracts in Standard Schema: Effect Schema and a hand-written schema,
// checked at the sender (ValidationError naming the field) and again at the handler.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { Schema } from "effect";
import { ValidationError } from "../../core/mod.ts";
import { createBus, defineContracts, type StandardSchemaV1 } from "../../core/messaging/mod.ts";
import { createInProcessTransport } from "../../transports/in_process.ts";
import { createStoreBackedTransport } from "../../transports/store_backed.ts";
import { createMemoryConsumerStorage, createMemoryStore } from "../../stores/memory/mod.ts";
import type { ParkedMessage } from "../../core/mod.ts";

const LockUser = Schema.toStandardSchemaV1(
  Schema.Struct({ userId: Schema.String, reason: Schema.Struct({ code: Schema.Number }) }),
);

// A hand-written Standard Schema, asynchronous, for { sku: string, quantity: positive integer }.
const Reserve: StandardSchemaV1<{ sku: string; quantity: number }> = {
  "~standard": {
    version: 1,
    vendor: "hand-written",
    validate: async (value) => {
      const v = value as { sku?: unknown; quantity?: unknown } | null;
      if (typeof v !== "object" || v === null) {
        return { issues: [{ message: "expected an object" }] };
      }
      if (typeof v.sku !== "string") {
        return { issues: [{ message: "expected a string", path: ["sku"] }] };
      }
      if (!Number.isInteger(v.quantity) || (v.quantity as number) < 1) {
        return {
          issues: [{ message: "expected a positive integer", path: [{ key: "quantity" }] }],
        };
      }
      return { value: { sku: v.sku, quantity: v.quantity as number } };
    },
  },
};

const contracts = defineContracts({
  commands: { "users/lock": LockUser, "inventory/reserve": Reserve },
  queries: { "orders/show": Schema.toStandardSchemaV1(Schema.Struct({ orderId: Schema.String })) },
  events: { "orders/placed": Schema.toStandardSchemaV1(Schema.Struct({ total: Schema.Number })) },
});

describe("message contracts (Standard Schema)", () => {
  it("an Effect Schema contract rejects a bad command at the sender with the field's path", async () => {
    const bus = createBus({ transport: createInProcessTransport(), contracts });
    let runs = 0;
    bus.handleCommand("users/lock", (command) => {
      runs++;
      const code: number = command.data.reason.code; // inferred from the schema
      return code;
    });
    const error = await bus.send({
      type: "users/lock",
      data: { userId: "u-1", reason: { code: "x" as unknown as number } },
    }).catch((e) => e);
    assert.ok(error instanceof ValidationError);
    assert.equal(error.path, "command.data.reason.code");
    assert.equal(error.value, "x");
    assert.match(error.message, /^Invalid command\.data\.reason\.code "x": Expected number/);
    assert.equal(
      await bus.sendAndWait({ type: "users/lock", data: { userId: "u-1", reason: { code: 7 } } }),
      7,
    );
    assert.equal(runs, 1);
    await bus.close();
  });

  it("a hand-written asynchronous schema works the same, with { key } path segments", async () => {
    const bus = createBus({ transport: createInProcessTransport(), contracts });
    await assert.rejects(
      bus.send({ type: "inventory/reserve", data: { sku: "a", quantity: 0 } }),
      (e) =>
        e instanceof ValidationError && e.path === "command.data.quantity" && e.value === 0 &&
        /positive integer/.test(e.message),
    );
    await bus.close();
  });

  it("query payloads and event data are checked too", async () => {
    const bus = createBus({ transport: createInProcessTransport(), contracts });
    bus.handleQuery("orders/show", (payload) => payload.orderId);
    assert.equal(await bus.query("orders/show", { orderId: "o-1" }), "o-1");
    await assert.rejects(
      bus.query("orders/show", { orderId: 1 as unknown as string }),
      (e) => e instanceof ValidationError && e.path === "query.payload.orderId",
    );
    await assert.rejects(
      bus.publish({ type: "orders/placed", data: { total: "3" as unknown as number } }),
      (e) => e instanceof ValidationError && e.path === "event.data.total",
    );
    await bus.close();
  });

  it("names without a contract are refused when the section is declared", async () => {
    const bus = createBus({ transport: createInProcessTransport(), contracts });
    await assert.rejects(
      // @ts-expect-error: not a declared command
      bus.send({ type: "users/delete", data: {} }),
      (e) => e instanceof ValidationError && e.path === "command.type",
    );
    await bus.close();
  });

  it("the handler side validates again, so a sender without contracts cannot slip bad data through", async () => {
    const transport = createInProcessTransport();
    const receiver = createBus({ transport, contracts });
    const sender = createBus({ transport });
    receiver.handleCommand("users/lock", () => "ran");
    await assert.rejects(
      sender.sendAndWait({ type: "users/lock", data: { userId: 5 } }),
      (e) => e instanceof ValidationError && e.path === "command.data.userId",
    );
    await receiver.close();
    await sender.close();
  });

  it("close() waits for a query whose payload its handler's contract is still checking", async () => {
    // The bus counts a query from the call on, its check included: the transport does not wait for it.
    let started!: () => void;
    const began = new Promise<void>((resolve) => (started = resolve));
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const Held: StandardSchemaV1<{ orderId: string }> = {
      "~standard": {
        version: 1,
        vendor: "hand-written",
        validate: async (value) => {
          started();
          await released;
          return { value: value as { orderId: string } };
        },
      },
    };
    const transport = createInProcessTransport();
    const receiver = createBus({
      transport,
      contracts: defineContracts({ queries: { "orders/show": Held } }),
    });
    const sender = createBus({ transport });
    let answered = false;
    receiver.handleQuery("orders/show", (payload) => {
      answered = true;
      return payload.orderId;
    });
    const answer = sender.query("orders/show", { orderId: "o-1" }, { timeout: 60_000 });
    await began;
    let closed = false;
    const closing = receiver.close().then(() => void (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(closed, false, "close() waits for the query being checked");
    release();
    await closing;
    assert.equal(answered, true, "the handler ran before close() resolved");
    assert.equal(await answer, "o-1");
    await sender.close();
  });

  it("over the store, a command its handler's contract refuses is parked after one attempt, not retried", async () => {
    const transport = createStoreBackedTransport(createMemoryStore(), {
      storage: createMemoryConsumerStorage(),
      retry: { maxAttempts: 5, initialDelay: 1 },
    });
    const receiver = createBus({ transport, contracts });
    const sender = createBus({ transport });
    const parked: ParkedMessage[] = [];
    await receiver.handleCommand("users/lock", () => "ran", {
      onParked: (entry) => void parked.push(entry),
    }).ready;
    await assert.rejects(sender.sendAndWait({ type: "users/lock", data: { userId: 5 } }), /userId/);
    assert.equal(parked.length, 1);
    assert.equal(parked[0].attempts, 1, "a refusal that cannot change was retried");
    assert.equal(parked[0].error.name, "ValidationError");
    await receiver.close();
    await sender.close();
  });
});
