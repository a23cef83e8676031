// An expected version spelt as EventStoreDB, Emmett or Message DB spell it is
// refused with ordo's spelling named, so that someone coming from one of them
// learns the fix from the error instead of guessing from a list.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { createCommandHandler, createMemoryStore, ValidationError } from "../../mod.ts";

const cases: [unknown, string][] = [
  ["no_stream", `ordo writes EventStoreDB's NO_STREAM as "no-stream"`],
  ["stream_exists", `ordo writes EventStoreDB's STREAM_EXISTS as "exists"`],
  ["STREAM_DOES_NOT_EXIST", `ordo writes Emmett's STREAM_DOES_NOT_EXIST as "no-stream"`],
  ["STREAM_EXISTS", `ordo writes Emmett's STREAM_EXISTS as "exists"`],
  ["NO_CONCURRENCY_CHECK", `ordo writes Emmett's NO_CONCURRENCY_CHECK as "any"`],
  [-1, `ordo writes -1 (Message DB's and EventStoreDB's no stream) as "no-stream"`],
  [-2, `ordo writes -2 (EventStoreDB's ExpectedVersion.Any) as "any"`],
  [-4, `ordo writes -4 (EventStoreDB's ExpectedVersion.StreamExists) as "exists"`],
];

function refusedWith(hint: string | undefined) {
  return (error: unknown) => {
    assert.ok(error instanceof ValidationError, String(error));
    assert.equal(error.path, "options.expectedVersion");
    if (hint === undefined) assert.doesNotMatch(error.reason, /ordo writes/);
    else assert.ok(error.reason.endsWith(`: ${hint}`), error.reason);
    return true;
  };
}

describe("an expected version in another store's spelling", () => {
  for (const [expected, hint] of cases) {
    it(`${JSON.stringify(expected)} is refused, naming ordo's spelling`, async () => {
      const store = createMemoryStore();
      await assert.rejects(
        store.append("order-1", [{ type: "A", data: {} }], { expectedVersion: expected as never }),
        refusedWith(hint),
      );
      assert.deepEqual(await store.readStream("order-1"), []);
    });
  }

  it("reaches a command handler's caller the same way", async () => {
    const handle = createCommandHandler(createMemoryStore(), {
      initialState: () => 0,
      evolve: (state: number) => state + 1,
      decide: () => [{ type: "A", data: {} }],
    });
    await assert.rejects(
      handle("order-1", {}, { expectedVersion: "no_stream" as never }),
      (error) => error instanceof ValidationError && /"no-stream"$/.test(error.reason),
    );
  });

  it("other wrong values get no hint", async () => {
    const store = createMemoryStore();
    for (const expected of ["nope", -3, 1.5, "0"]) {
      await assert.rejects(
        store.append("order-1", [{ type: "A", data: {} }], { expectedVersion: expected as never }),
        refusedWith(undefined),
      );
    }
  });
});
