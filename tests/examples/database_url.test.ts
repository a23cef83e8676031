// DATABASE_URL is checked before a driver sees it: a URL that is not
// postgres:// says what it should look like (with its password hidden), and
// the demo says so in one line instead of failing later on a mangled host.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ValidationError } from "../../mod.ts";
import { checkDatabaseUrl } from "../../examples/_database_url.ts";
import { ROOT } from "../_paths.ts";
import { run } from "../_process.ts";

describe("DATABASE_URL", () => {
  it("accepts postgres: and postgresql: URLs with a host", () => {
    for (
      const url of [
        "postgres://user:pass@host:5432/db",
        "postgresql://localhost/shop",
        "postgres://127.0.0.1:55432/postgres?sslmode=disable",
      ]
    ) {
      assert.equal(checkDatabaseUrl(url), url);
    }
  });

  it("refuses anything else, saying what it must look like and hiding the password", () => {
    for (
      const [url, shown] of [
        ["localhost:5432", "localhost:5432"],
        ["host=localhost port=5432", "host=localhost port=5432"],
        ["mysql://root:hunter2@db/shop", "mysql://root:***@db/shop"],
        ["postgres://user:hunter2@db/shop/extra", "postgres://user:***@db/shop/extra"],
      ]
    ) {
      assert.throws(
        () => checkDatabaseUrl(url),
        (e) =>
          e instanceof ValidationError && e.path === "env.DATABASE_URL" && e.value === shown &&
          e.message.startsWith(
            `Invalid env.DATABASE_URL "${shown}": must look like postgres://user:pass@host:5432/db`,
          ) && !e.message.includes("hunter2"),
        url,
      );
    }
  });

  it("the demo refuses DATABASE_URL=localhost:5432 in one line and exits 1", async () => {
    const result = await run("node", ["--import", "tsx", "examples/demo.ts"], {
      cwd: ROOT,
      timeout: 60_000,
      env: { DATABASE_URL: "localhost:5432" },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr.trim(),
      'ordo demo: Invalid env.DATABASE_URL "localhost:5432": must look like postgres://user:pass@host:5432/db (it starts with "localhost:", not "postgres:")',
    );
    assert.equal(result.stdout, "");
  });

  it("the demo says in one line that a stopped server cannot be reached, and exits 1", async () => {
    // Port 1 on the loopback: nothing listens there, so the connection is refused.
    const result = await run("node", ["--import", "tsx", "examples/demo.ts"], {
      cwd: ROOT,
      timeout: 60_000,
      env: { DATABASE_URL: "postgres://user:pass@127.0.0.1:1/db" },
    });
    assert.equal(result.code, 1, result.stderr);
    assert.equal(
      result.stderr.trim(),
      "ordo demo: cannot reach PostgreSQL at 127.0.0.1:1 (ECONNREFUSED): is the server running, and is DATABASE_URL right?",
    );
    assert.equal(result.stdout, "");
  });
});
