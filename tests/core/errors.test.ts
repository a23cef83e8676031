import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CircuitOpenError,
  ClosedError,
  ConcurrencyError,
  DuplicateMessageError,
  type ForbiddenAction,
  ForbiddenError,
  IdempotencyConflictError,
  isRetryable,
  NotFoundError,
  NotMigratedError,
  OrdoError,
  PeerUnreachableError,
  RETRYABLE_BY_TAG,
  ServerError,
  StoreUnavailableError,
  TimeoutError,
  UnauthenticatedError,
  UnsupportedRuntimeError,
  ValidationError,
} from "../../mod.ts";

const ID = "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a";

describe("the error family", () => {
  const cause = new Error("ECONNREFUSED");
  const errors = [
    new ConcurrencyError("order-1", 3, 5),
    new ValidationError("messages[0].data.total", 10n, "a bigint is not a JSON value"),
    new DuplicateMessageError("order-2", ID, "order-1", 0),
    new StoreUnavailableError("append", "connection refused", { cause }),
    new TimeoutError('query "orders/show"', 5000),
    new UnauthenticatedError("Bearer", "the token is not accepted"),
    new ForbiddenError("send", "orders/cancel", "billing"),
    new ForbiddenError("subscribe", "order", undefined),
    new NotFoundError("query", "orders/nope", "no handler is registered for it"),
    new IdempotencyConflictError(ID, "orders/place"),
    new CircuitOpenError('query "orders/show"', 899.2),
    new PeerUnreachableError('query "orders/show"', "http://orders:8080", "connection refused"),
    new ServerError('query "orders/show"', ID),
    new ClosedError("bus", 'query "orders/show"'),
    new NotMigratedError("ordo", 'relation "ordo.checkpoints" does not exist'),
    new NotMigratedError("shop", "", { foundVersion: 3, requiredVersion: 5 }),
    new UnsupportedRuntimeError("workerd", "a PostgreSQL driver", "no TCP sockets"),
  ];

  it("shares one base class and has a literal _tag equal to the class name", () => {
    for (const error of errors) {
      assert.ok(error instanceof OrdoError && error instanceof Error);
      assert.equal(error._tag, error.constructor.name);
      assert.equal(error.name, error._tag);
    }
  });

  it("has a tag for every class, and a retryability for every tag", () => {
    assert.deepEqual(
      [...new Set(errors.map((e) => e._tag))].sort(),
      Object.keys(RETRYABLE_BY_TAG).sort(),
    );
  });

  it("writes messages in sentence case with quoted values and no closing period", () => {
    assert.deepEqual(errors.map((e) => e.message), [
      'Cannot append to stream "order-1": expected version 3, current version is 5',
      "Invalid messages[0].data.total 10n: a bigint is not a JSON value",
      `Cannot append to stream "order-2": message id "${ID}" is already stored in stream "order-1" at version 0`,
      "Store unavailable during append: connection refused",
      'Timed out after 5000 ms: query "orders/show"',
      "Cannot authenticate the request: the token is not accepted",
      'Cannot send command "orders/cancel": credential "billing" is not allowed to send it; its allow.commands does not list it',
      "Cannot follow \"order\": this credential is not allowed to follow it; event routes are denied unless allowed: list it (a category, an event name or service/*) in the server's auth.allow.subscribe, or the credential's own allow.subscribe",
      'Cannot find query "orders/nope": no handler is registered for it',
      `Cannot accept command "orders/place": id "${ID}" was already used for a command with another type or other data`,
      'Circuit breaker open during query "orders/show": next trial in 900 ms',
      'Cannot reach "http://orders:8080" during query "orders/show": connection refused',
      `The server failed during query "orders/show": see error id "${ID}" in its log`,
      'Cannot query "orders/show": the bus is closed',
      'Schema "ordo" is not migrated: call migrate() first (relation "ordo.checkpoints" does not exist)',
      'Schema "shop" is not migrated (it has migration 3, this code needs 5): call migrate() first',
      "Cannot run a PostgreSQL driver on workerd: no TCP sockets",
    ]);
    for (const error of errors) {
      assert.ok(!error.message.endsWith("."));
      assert.match(error.message, /^[A-Z]/);
    }
  });

  it("keeps its data as fields, so nothing has to be parsed out of a message", () => {
    const open = new CircuitOpenError('query "orders/show"', 899.2);
    assert.equal(open.retryAfter, 899.2);
    assert.equal(open.operation, 'query "orders/show"');
    const peer = new PeerUnreachableError("send", "http://orders:8080", "refused");
    assert.equal(peer.peer, "http://orders:8080");
    const schema = new NotMigratedError("shop", "", { foundVersion: 3, requiredVersion: 5 });
    assert.deepEqual([schema.schema, schema.foundVersion, schema.requiredVersion], ["shop", 3, 5]);
    const forbidden = new ForbiddenError("publish", "order-1", undefined);
    assert.deepEqual([forbidden.action, forbidden.target, forbidden.credential], [
      "publish",
      "order-1",
      undefined,
    ]);
  });

  it("ForbiddenError ends in a full sentence, and for event routes names the option that allows them", () => {
    const expected: [ForbiddenAction, RegExp][] = [
      ["send", /is not allowed to send it; its allow\.commands does not list it$/],
      ["query", /is not allowed to ask it; its allow\.queries does not list it$/],
      [
        "publish",
        /is not allowed to publish there; event routes are denied unless allowed: .*auth\.allow\.publish, or the credential's own allow\.publish$/,
      ],
      [
        "subscribe",
        /is not allowed to follow it; event routes are denied unless allowed: .*auth\.allow\.subscribe, or the credential's own allow\.subscribe$/,
      ],
      ["replay", /is not allowed to replay them; replaying needs an operator credential/],
    ];
    for (const [action, message] of expected) {
      assert.match(new ForbiddenError(action, "order-1", "app").message, message);
      assert.doesNotMatch(new ForbiddenError(action, "order-1", undefined).message, /allowed to$/);
    }
  });

  it("keeps the driver's error as cause", () => {
    assert.equal(errors[3].cause, cause);
  });

  it("isRetryable() holds for the unreachable, the unavailable and the timed out only", () => {
    assert.deepEqual(
      errors.filter(isRetryable).map((e) => e._tag),
      ["StoreUnavailableError", "TimeoutError", "PeerUnreachableError"],
    );
    assert.equal(isRetryable(new RangeError("a handler's own")), false);
    assert.equal(isRetryable({ _tag: "StoreUnavailableError" }), false, "not an Error");
    // An error of another copy of ordo carries the same tag.
    const foreign = Object.assign(new Error("x"), { _tag: "PeerUnreachableError" });
    assert.equal(isRetryable(foreign), true);
  });
});
