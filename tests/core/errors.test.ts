import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ConcurrencyError,
  DuplicateMessageError,
  OrdoError,
  StoreUnavailableError,
  TimeoutError,
  ValidationError,
} from "../../mod.ts";

describe("the error family", () => {
  const cause = new Error("ECONNREFUSED");
  const errors = [
    new ConcurrencyError("order-1", 3, 5),
    new ValidationError("messages[0].data.total", 10n, "a bigint is not a JSON value"),
    new DuplicateMessageError("order-2", "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a", "order-1", 0),
    new StoreUnavailableError("append", "connection refused", { cause }),
    new TimeoutError('query "orders/show"', 5000),
  ];

  it("shares one base class and has a literal _tag equal to the class name", () => {
    for (const error of errors) {
      assert.ok(error instanceof OrdoError && error instanceof Error);
      assert.equal(error._tag, error.constructor.name);
      assert.equal(error.name, error._tag);
    }
  });

  it("writes messages in sentence case with quoted values and no closing period", () => {
    assert.deepEqual(errors.map((e) => e.message), [
      'Cannot append to stream "order-1": expected version 3, current version is 5',
      "Invalid messages[0].data.total 10n: a bigint is not a JSON value",
      'Cannot append to stream "order-2": message id "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a" is already stored in stream "order-1" at version 0',
      "Store unavailable during append: connection refused",
      'Timed out after 5000 ms: query "orders/show"',
    ]);
    for (const error of errors) assert.ok(!error.message.endsWith("."));
  });

  it("keeps the driver's error as cause", () => {
    assert.equal(errors[3].cause, cause);
  });
});
