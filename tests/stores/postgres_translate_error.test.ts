// translateError: the driver's SQLSTATEs for what an unmigrated schema lacks
// (42P01 undefined table, 42883 undefined function, 3F000 invalid schema) are
// NotMigratedError naming the schema, never the retryable StoreUnavailableError;
// lost connections are StoreUnavailableError; anything else passes unchanged.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ClosedError, isRetryable, NotMigratedError, StoreUnavailableError } from "../../mod.ts";
import { translateError } from "../../stores/postgres/translate_error.ts";

const driverError = (code: string, message: string) => Object.assign(new Error(message), { code });

describe("translateError()", () => {
  for (
    const [code, message] of [
      ["42P01", 'relation "ordo.checkpoints" does not exist'],
      ["42883", "function ordo.append_messages(text) does not exist"],
      ["3F000", 'schema "ordo" does not exist'],
    ]
  ) {
    it(`turns SQLSTATE ${code} in ordo's own SQL into NotMigratedError naming the schema`, () => {
      const cause = driverError(code, message);
      const error = translateError(cause, "append", "ordo");
      assert.ok(error instanceof NotMigratedError, `got ${error}`);
      assert.equal(error.schema, "ordo");
      assert.match(error.message, /migrate\(\)/);
      assert.equal(error.cause, cause);
      assert.equal(isRetryable(error), false);
    });

    it(`passes SQLSTATE ${code} from a handler's own SQL (no schema given) through unchanged`, () => {
      const cause = driverError(code, message);
      assert.equal(translateError(cause, "handler"), cause);
    });
  }

  // CONNECTION_DESTROYED too: a failover destroys connections as sql.end({ timeout }) does, and
  // only the store knows it is closing (tests/stores/postgres_destroyed_connection.test.ts).
  it("turns a lost connection into the retryable StoreUnavailableError, never NotMigratedError", () => {
    for (
      const code of ["57P01", "08006", "ECONNREFUSED", "CONNECTION_CLOSED", "CONNECTION_DESTROYED"]
    ) {
      const error = translateError(driverError(code, "gone"), "readPage", "ordo");
      assert.ok(error instanceof StoreUnavailableError, `${code}: got ${error}`);
      assert.equal(isRetryable(error), true);
    }
  });

  it("turns a driver the caller ended (postgres.js's sql.end(), PGlite's close()) into ClosedError, not retried", () => {
    for (
      const cause of [
        driverError("CONNECTION_ENDED", "write CONNECTION_ENDED"),
        new Error("PGlite is closed"),
      ]
    ) {
      const error = translateError(cause, "headPosition", "ordo");
      assert.ok(error instanceof ClosedError, `got ${error}`);
      assert.equal(isRetryable(error), false);
      assert.match(
        error.message,
        /Cannot headPosition: the database client \(it was ended before the store and its consumers: stop consumers and close the store first\) is closed/,
      );
      assert.equal(error.cause, cause);
    }
  });

  it("passes any other driver error through unchanged", () => {
    const cause = driverError("23505", "duplicate key value violates unique constraint");
    assert.equal(translateError(cause, "append", "ordo"), cause);
  });
});
