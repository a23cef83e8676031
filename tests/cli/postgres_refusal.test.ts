// What `ordo` says when its first query to PostgreSQL fails: the refusals a
// test server cannot easily be made to give (a full server, one starting up,
// a pg_hba.conf rule) by their SQLSTATE, as postgres.js reports them. The
// ones it can give (a wrong password, a missing database, no CONNECT) run
// against the real server in cli_usage.test.ts.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { connectFailure } from "../../cli/_postgres_refusal.ts";

const WHERE = "postgres://me:***@db.example:5432/shop";

/** An error as postgres.js's PostgresError carries it: the server's message, code and severity. */
function refusal(code: string, message: string): Error {
  return Object.assign(new Error(message), { code, severity: "FATAL" });
}

describe("connectFailure()", () => {
  it("a server that answered: its message and SQLSTATE, and what to do, never that it may not run", () => {
    const cases: [Error, string][] = [
      [
        refusal(
          "28000",
          'no pg_hba.conf entry for host "10.0.0.9", user "me", database "shop", no encryption',
        ),
        "check the user name in --url or DATABASE_URL, and that the server's pg_hba.conf lets that user connect from this host (to a server that requires TLS, add ?sslmode=require)",
      ],
      [
        refusal("53300", "sorry, too many clients already"),
        "every connection slot is taken: try again when fewer clients are connected, or raise the server's max_connections",
      ],
      [
        refusal("57P03", "the database system is starting up"),
        "the server is starting up or shutting down: try again in a moment",
      ],
      [refusal("XX000", "something odd"), "check --url or DATABASE_URL"],
    ];
    for (const [error, advice] of cases) {
      const said = connectFailure(error, WHERE);
      assert.equal(
        said,
        `PostgreSQL at ${WHERE} refused the connection: ${error.message} (${
          (error as { code?: string }).code
        }): ${advice}`,
      );
      assert.doesNotMatch(said, /server is running/);
    }
  });

  it("a missing database is named in the advice; without one in the URL, it is the user's name", () => {
    const missing = refusal("3D000", 'database "me" does not exist');
    assert.match(
      connectFailure(missing, "postgres://me:***@db.example:5432"),
      /\(3D000\): check the database name in --url or DATABASE_URL, or create the database \(createdb me\) and run ordo migrate$/,
    );
  });

  it("a server that did not answer: what to check, and that the server is running", () => {
    // postgres.js's own codes, not the server's; EPIPE is five capitals too, but has no severity.
    for (const code of ["ECONNREFUSED", "CONNECT_TIMEOUT", "EPIPE"]) {
      const error = Object.assign(new Error(`connect ${code}`), { code });
      assert.equal(
        connectFailure(error, WHERE),
        `Cannot reach PostgreSQL at ${WHERE}: connect ${code}: check --url or DATABASE_URL, and that the server is running`,
      );
    }
  });

  it("something that is not PostgreSQL on the port (postgres.js 4's PROTOCOL_ERROR): to check the port", () => {
    // As postgres.js 4.2.0 rejects when an HTTP server answers its startup message.
    const error = Object.assign(
      new Error("The server sent a H message with an invalid length (1414811695)"),
      { code: "PROTOCOL_ERROR" },
    );
    assert.equal(
      connectFailure(error, WHERE),
      `Cannot reach PostgreSQL at ${WHERE}: The server sent a H message with an invalid length (1414811695): is PostgreSQL listening on that port? Check the port in --url or DATABASE_URL`,
    );
  });
});
