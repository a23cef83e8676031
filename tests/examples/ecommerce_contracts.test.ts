// The shop's message contracts refuse bad messages at the sender with a
// ValidationError naming the field, before anything is sent.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createBus, createInProcessTransport, ValidationError } from "../../mod.ts";
import { shopClientContracts } from "../../examples/ecommerce/contracts.ts";

function refusedWith(path: string, reason: RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, `not a ValidationError: ${error}`);
    assert.equal(error.path, path);
    assert.match(error.reason, reason);
    return true;
  };
}

describe("examples/ecommerce contracts", () => {
  it("pass a good order through to its handler", async () => {
    const bus = createBus({
      transport: createInProcessTransport(),
      contracts: shopClientContracts,
    });
    bus.handleCommand(
      "orders/place",
      (command) => ({ orderId: command.data.orderId, status: "placed" }),
    );
    const order = { orderId: "A001", userId: "u1", items: { apple: 2, fig: 1 } };
    assert.deepEqual(await bus.sendAndWait({ type: "orders/place", data: order }), {
      orderId: "A001",
      status: "placed",
    });
    await bus.close();
  });

  it("refuse bad orders at the sender, naming the field", async () => {
    const bus = createBus({
      transport: createInProcessTransport(),
      contracts: shopClientContracts,
    });
    let handled = 0;
    bus.handleCommand("orders/place", () => handled++);
    const place = (data: unknown) => bus.send({ type: "orders/place", data: data as never });
    await assert.rejects(
      place({ orderId: "A 1", userId: "u1", items: { apple: 1 } }),
      refusedWith("command.data.orderId", /letters, digits/),
    );
    await assert.rejects(
      place({ orderId: "A1", userId: "u1", items: {} }),
      refusedWith("command.data.items", /at least one product/),
    );
    await assert.rejects(
      place({ orderId: "A1", userId: "u1", items: { durian: 1 } }),
      refusedWith("command.data.items", /unknown product "durian"/),
    );
    await assert.rejects(
      place({ orderId: "A1", userId: "u1", items: { apple: 0 } }),
      refusedWith("command.data.items", /whole number from 1 to 1000/),
    );
    await assert.rejects(
      place({ orderId: "A1", userId: "u1", items: { apple: 1 }, total: 3 }),
      refusedWith("command.data.total", /not a field/),
    );
    await assert.rejects(place("A1"), refusedWith("command.data", /must be an object/));
    await assert.rejects(
      bus.send({ type: "users/lock", data: { userId: "u1" } as never }),
      refusedWith("command.data.reason", /string of at most 200/),
    );
    assert.equal(handled, 0);
    await bus.close();
  });
});
