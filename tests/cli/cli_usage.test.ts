// The `ordo` command line's surface: help for every command, bad usage (exit
// 2), an unreachable or unnamed database, a schema not migrated, and migrate.
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readdir, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { usePostgres } from "../_postgres_fixture.ts";
import { json, ordo, said } from "./_cli_fixture.ts";

const COMMANDS = ["migrate", "status", "streams", "read", "tail", "consumers", "parked", "rebuild"];

describe("ordo: help, usage and connection", () => {
  const pg = usePostgres({ max: 2 });
  const url = () => pg.server.url;

  it("--help lists every command, exits 0; no command prints it to stderr and exits 2", async () => {
    const help = await ordo(["--help"], { url: null });
    assert.equal(help.code, 0, said(help));
    for (const name of COMMANDS) assert.match(help.stdout, new RegExp(`^  ${name} `, "m"));
    assert.match(
      help.stdout,
      /Exit codes: 0 done, 1 failed, 2 bad usage, 3 recorded but not run yet\n {2}\(parked replay/,
    );
    const none = await ordo([], { url: null });
    assert.equal(none.code, 2, said(none));
    assert.match(none.stderr, /^Usage: ordo <command>/);
  });

  it("every command answers --help with its usage and exits 0, without a database", async () => {
    for (const name of COMMANDS) {
      const result = await ordo([name, "--help"], { url: null });
      assert.equal(result.code, 0, said(result));
      assert.match(result.stdout, new RegExp(`ordo ${name}`), name);
      assert.match(result.stdout, /--url <url>/, name);
    }
  });

  it("refuses bad usage with exit 2 and says what to do", async () => {
    const cases: [string[], RegExp][] = [
      [["frobnicate"], /unknown command "frobnicate": run ordo --help/],
      [["streams", "--bogus"], /Unknown option --bogus\nRun ordo streams --help/],
      [["streams", "--limt", "5"], /Unknown option --limt: did you mean --limit\?/],
      [["streams", "--json=yes"], /Option --json takes no value/],
      [
        ["read", "order-1", "--from", "-1"],
        /Option --from needs a value \(one that starts with "-" is written --from=-1\)/,
      ],
      [["parked", "--after", "3"], /--after pages one group/],
      [
        ["parked", "replay", "--all", "--no-wait", "--wait", "5"],
        /Give --wait <seconds> or --no-wait, not both/,
      ],
      [["streams", "--limit", "many"], /Invalid --limit "many": expected a whole number from 1/],
      [["read"], /Name the stream to read: ordo read <stream>/],
      [["read", "a", "b"], /Too many arguments to "ordo read": b/],
      [["parked", "replay"], /Name one message, or --all/],
      [["parked", "show", "not-a-uuid"], /Invalid message id "not-a-uuid"/],
      [["rebuild"], /Name the projection module/],
      [["tail", "--from", "-1"], /Option --from needs a value/],
      [
        ["status", "--schema", "bad name"],
        /Invalid --schema "bad name": a schema name is 1 to 48 lowercase/,
      ],
      [["status", "--url", "x", "--pglite", "y"], /Give --url or --pglite, not both/],
    ];
    for (const [args, message] of cases) {
      const result = await ordo(args, { url: url() });
      assert.equal(result.code, 2, `${args.join(" ")}: ${said(result)}`);
      assert.match(result.stderr, message, args.join(" "));
      assert.equal(result.stdout, "", args.join(" "));
    }
  });

  it("without a database named exits 2 and says how to name one", async () => {
    const result = await ordo(["status"], { url: null });
    assert.equal(result.code, 2, said(result));
    assert.match(
      result.stderr,
      /No database named: pass --url .*, set DATABASE_URL, or pass --pglite/,
    );
  });

  it("with an unreachable database exits 1, names it without its password, and says what to check", async () => {
    const result = await ordo(["status", "--url", "postgres://me:s3cret@127.0.0.1:1/app"], {
      url: null,
    });
    assert.equal(result.code, 1, said(result));
    assert.match(
      result.stderr,
      /Cannot reach PostgreSQL at postgres:\/\/me:\*\*\*@127\.0\.0\.1:1\/app: .*check --url or DATABASE_URL, and that the server is running/,
    );
    assert.doesNotMatch(result.stderr, /s3cret/);
  });

  it("with a server that answers and refuses, says what it refused and what to do, not to check that it runs", async () => {
    const given = new URL(url());
    const database = given.pathname.slice(1);
    const at = (change: (u: URL) => void) => {
      const u = new URL(url());
      change(u);
      return u.toString();
    };
    const cases: [string, RegExp][] = [
      [
        at((u) => void (u.password = "wrong-s3cret")),
        /^ordo status: PostgreSQL at postgres:\/\/postgres:\*\*\*@[^ ]+ refused the connection: password authentication failed for user "postgres" \(28P01\): check the user name and password in --url or DATABASE_URL$/m,
      ],
      [
        at((u) => void (u.pathname = "/no_such_db")),
        /^ordo status: PostgreSQL at [^ ]+\/no_such_db refused the connection: database "no_such_db" does not exist \(3D000\): check the database name in --url or DATABASE_URL, or create the database \(createdb no_such_db\) and run ordo migrate$/m,
      ],
    ];
    // A user that may log in but not connect to this database: 42501.
    await pg.sql.unsafe(`CREATE ROLE ordo_no_connect LOGIN PASSWORD 'pw-s3cret'`);
    await pg.sql.unsafe(`REVOKE CONNECT ON DATABASE ${database} FROM PUBLIC`);
    try {
      cases.push([
        at((u) => {
          u.username = "ordo_no_connect";
          u.password = "pw-s3cret";
        }),
        new RegExp(
          `^ordo status: PostgreSQL at [^ ]+ refused the connection: permission denied for database "${database}" \\(42501\\): grant the user CONNECT on the database \\(GRANT CONNECT ON DATABASE ${database} TO …\\), or connect as another user$`,
          "m",
        ),
      ]);
      for (const [address, expected] of cases) {
        const result = await ordo(["status", "--url", address], { url: null });
        assert.equal(result.code, 1, said(result));
        assert.match(result.stderr, expected);
        assert.doesNotMatch(result.stderr, /server is running/, "it answered");
        assert.doesNotMatch(result.stderr, /s3cret/);
      }
    } finally {
      await pg.sql.unsafe(`GRANT CONNECT ON DATABASE ${database} TO PUBLIC`);
      await pg.sql.unsafe(`DROP ROLE ordo_no_connect`);
    }
  });

  it("with something that is not PostgreSQL at the address exits 1 at once and says to check the port", async () => {
    // Accepts, reads, closes: as an HTTP server on a mistyped port does.
    // postgres.js 4 (the one installed) rejects what it reads with
    // PROTOCOL_ERROR; 3.4 reconnected until ordo's 10 s deadline instead
    // ("no answer within 10 s (is PostgreSQL listening on that port?)").
    let connections = 0;
    const server = createServer((socket) => {
      connections++;
      socket.once("data", () => socket.end("HTTP/1.1 400 Bad Request\r\n\r\n"));
      socket.on("error", () => {});
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const result = await ordo(["status", "--url", `postgres://me:pw@127.0.0.1:${port}/app`], {
        url: null,
        timeout: 30_000,
      });
      assert.equal(result.code, 1, said(result));
      assert.match(
        result.stderr,
        /Cannot reach PostgreSQL at .*: The server sent a H message .*: is PostgreSQL listening on that port\? Check the port in --url or DATABASE_URL/,
      );
      assert.doesNotMatch(result.stderr, /no answer within/, "it did not wait for the deadline");
      assert.ok(connections > 0);
    } finally {
      server.close();
    }
  });

  it("--pglite refuses a directory that does not exist (but migrate makes it) and a file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ordo-cli-pglite-"));
    try {
      const typo = join(dir, "typo");
      const missing = await ordo(["status", "--pglite", typo], { url: null });
      assert.equal(missing.code, 1, said(missing));
      assert.match(missing.stderr, /No PGlite database at .*typo: the directory does not exist/);
      assert.equal(existsSync(typo), false, "nothing was made");
      const file = join(dir, "notes.txt");
      await writeFile(file, "not a database");
      const notDirectory = await ordo(["parked", "--pglite", file], { url: null });
      assert.equal(notDirectory.code, 2, said(notDirectory));
      assert.match(notDirectory.stderr, /Invalid --pglite .*notes\.txt: it is a file/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("--url other than PostgreSQL's or NATS's is refused at once, naming what the command line reads", async () => {
    const result = await ordo(["status", "--url", "mysql://me:s3cret@127.0.0.1:3306/app"], {
      url: null,
    });
    assert.equal(result.code, 2, said(result));
    assert.match(
      result.stderr,
      /Invalid --url or DATABASE_URL: mysql:\/\/me:\*\*\*@127\.0\.0\.1:3306\/app is neither a postgres:\/\/ nor a nats:\/\/ URL; the command line reads PostgreSQL \(postgres:\/\/.*\), NATS \(nats:\/\/host:4222\) or PGlite \(--pglite <directory>\)/,
    );
    assert.ok(!result.stderr.includes("s3cret"), "the password is not shown");
    const bare = await ordo(["status", "--url", "localhost:5432"], { url: null });
    assert.equal(bare.code, 2, said(bare));
    assert.match(bare.stderr, /localhost:5432 is neither a postgres:\/\/ nor a nats:\/\/ URL/);
    // A NATS server written as host:port (no scheme) is no URL at all: the line still names nats://.
    const noScheme = await ordo(["status", "--url", "127.0.0.1:4222"], { url: null });
    assert.equal(noScheme.code, 2, said(noScheme));
    assert.match(
      noScheme.stderr,
      /Invalid --url or DATABASE_URL: not a URL \(no postgres:\/\/ or nats:\/\/ in front\); the command line reads PostgreSQL \(postgres:\/\/.*\), NATS \(nats:\/\/host:4222\) or PGlite/,
    );
  });

  it("--pglite refuses a directory with files but no PG_VERSION (a service creating it now), or empty for a command that reads, and creates nothing in it", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ordo-cli-pglite-half-"));
    try {
      await mkdir(join(dir, "base"));
      for (const command of [["status"], ["migrate"]]) {
        const result = await ordo([...command, "--pglite", dir], { url: null });
        assert.equal(result.code, 1, said(result));
        assert.match(
          result.stderr,
          /is not a PGlite database \(it has no PG_VERSION file\): if a service is creating it now, wait until that service has started/,
        );
      }
      assert.deepEqual(await readdir(dir), ["base"], "nothing was written into it");
      await rm(join(dir, "base"), { recursive: true });
      const empty = await ordo(["streams", "--pglite", dir], { url: null });
      assert.equal(empty.code, 1, said(empty));
      assert.match(
        empty.stderr,
        /No PGlite database at .*: the directory is empty \(ordo migrate --pglite makes one/,
      );
      assert.deepEqual(await readdir(dir), [], "a command that reads creates no database");
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("--pglite refuses a directory another process has open (PGlite takes no lock), and opens it once closed", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ordo-cli-pglite-open-"));
    try {
      const made = await ordo(["migrate", "--pglite", dir], { url: null });
      assert.equal(made.code, 0, said(made));
      const pg = await PGlite.create(dir); // a service holding it, in this process
      let open = true;
      try {
        const refused = await ordo(["status", "--pglite", dir], { url: null });
        assert.equal(refused.code, 1, said(refused));
        assert.match(refused.stderr, /may be open in another process \(.*postmaster\.pid exists\)/);
        assert.match(refused.stderr, /delete \/.*\/postmaster\.pid and run this again/);
        await pg.close();
        open = false;
        const status = await ordo(["status", "--pglite", dir], { url: null });
        assert.equal(status.code, 0, said(status));
      } finally {
        if (open) await pg.close();
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("on a schema not migrated exits 1 and says to run ordo migrate", async () => {
    for (const command of [["status"], ["streams"], ["consumers"], ["parked"]]) {
      const result = await ordo([...command, "--schema", "never_migrated"], { url: url() });
      assert.equal(result.code, 1, said(result));
      assert.match(result.stderr, /run ordo migrate \(or check --schema\)/, command[0]);
    }
  });

  it("migrate creates the schema, then says it is up to date; --json gives from and to", async () => {
    const first = await ordo(["migrate", "--schema", "fresh"], { url: url() });
    assert.equal(first.code, 0, said(first));
    assert.equal(first.stdout, 'Schema "fresh" migrated from 0 to migration 8.\n');
    const again = await ordo(["migrate", "--schema", "fresh", "--json"], { url: url() });
    assert.equal(again.code, 0, said(again));
    assert.deepEqual(json(again), { schema: "fresh", from: 8, to: 8 });
    const text = await ordo(["migrate", "--schema", "fresh"], { url: url() });
    assert.equal(text.stdout, 'Schema "fresh" is up to date (migration 8).\n');
    const status = await ordo(["status", "--schema", "fresh", "--json"], { url: url() });
    assert.equal(status.code, 0, said(status));
    assert.deepEqual(json(status), {
      schema: "fresh",
      head: "0",
      categories: [],
      streams: { count: 0, capped: false },
      consumers: [],
    });
  });

  it("works on a PGlite directory with --pglite, loading PGlite instead of postgres.js", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ordo-cli-pglite-"));
    try {
      const migrated = await ordo(["migrate", "--pglite", dir, "--json"], {
        url: null,
        timeout: 120_000,
      });
      assert.equal(migrated.code, 0, said(migrated));
      assert.deepEqual(json(migrated), { schema: "ordo", from: 0, to: 8 });
      const status = await ordo(["status", "--pglite", dir], { url: null, timeout: 120_000 });
      assert.equal(status.code, 0, said(status));
      assert.match(
        status.stdout,
        new RegExp(
          `^Store +PGlite ${dir.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}, schema "ordo"$`,
          "m",
        ),
      );
      assert.match(status.stdout, /^Head +0$/m);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
