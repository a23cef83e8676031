// `ordo status`, `streams`, `read` and `tail` against a store with known
// contents: the tables people read, the JSON scripts read, the exit codes.
import assert from "node:assert/strict";
import process from "node:process";
import { before, describe, it } from "node:test";
import { usePostgres } from "../_postgres_fixture.ts";
import { followOutput } from "../_process.ts";
import { json, ordo, said, startOrdo } from "./_cli_fixture.ts";

const AT = "2026-03-04T05:06:07.000Z";

describe("ordo: the store", () => {
  const pg = usePostgres({ max: 4, schema: "cli_store", store: {} });
  const run = (...args: string[]) =>
    ordo([...args, "--schema", "cli_store"], { url: pg.server.url });

  before(async () => {
    const m = (type: string, data: Record<string, number>) => ({
      type,
      data,
      metadata: { timestamp: AT },
    });
    await pg.store.append("order-1", [m("OrderPlaced", { total: 30 })]); // 1
    await pg.store.append("order-2", [m("OrderPlaced", { total: 12 })]); // 2
    await pg.store.append("order-1", [m("OrderShipped", {})]); // 3
    await pg.store.append("user-7", [m("UserJoined", { age: 40 })]); // 4
  });

  it("status shows the head, streams and categories; --json gives them as data", async () => {
    const text = await run("status");
    assert.equal(text.code, 0, said(text));
    assert.match(
      text.stdout,
      /^Store +postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:\d+\/\w+, schema "cli_store"$/m,
    );
    assert.match(text.stdout, /^Head +4$/m);
    assert.match(text.stdout, /^Streams +3$/m);
    assert.match(text.stdout, /^ +order +3$/m);
    assert.match(text.stdout, /^ +user +4$/m);
    const data = await run("status", "--json");
    assert.equal(data.code, 0, said(data));
    assert.deepEqual(json(data), {
      schema: "cli_store",
      head: "4",
      categories: [{ category: "order", lastPosition: "3" }, {
        category: "user",
        lastPosition: "4",
      }],
      streams: { count: 3, capped: false },
      consumers: [],
    });
  });

  it("streams lists streams by name with their last message, and pages", async () => {
    const all = await run("streams");
    assert.equal(all.code, 0, said(all));
    assert.equal(
      all.stdout,
      [
        "STREAM   VERSION  POSITION  LAST TYPE     LAST AT",
        "order-1  1        3         OrderShipped  2026-03-04 05:06:07Z",
        "order-2  0        2         OrderPlaced   2026-03-04 05:06:07Z",
        "user-7   0        4         UserJoined    2026-03-04 05:06:07Z",
        "",
      ].join("\n"),
    );
    const page = await run("streams", "--limit", "1");
    assert.match(page.stdout, /^order-1 /m);
    assert.match(page.stdout, /^More: ordo streams --limit 1 --after "order-1" …$/m);
    // The hint keeps the filters: pasted, it gives the next page of the same list.
    const filtered = await run("streams", "--category", "order", "--limit", "1");
    assert.match(
      filtered.stdout,
      /^More: ordo streams --category "order" --limit 1 --after "order-1" …$/m,
    );
    const next = await run("streams", "--limit", "1", "--after", "order-1", "--json");
    assert.deepEqual(json(next), {
      streams: [{
        streamName: "order-2",
        category: "order",
        version: 0,
        globalPosition: "2",
        lastType: "OrderPlaced",
        lastTimestamp: AT,
      }],
      next: "order-2",
      end: false,
    });
  });

  it("streams filters by category, type and prefix; a bad filter exits 2", async () => {
    const names = async (...args: string[]) => {
      const result = await run("streams", "--json", ...args);
      assert.equal(result.code, 0, said(result));
      return (json(result) as { streams: { streamName: string }[] }).streams.map((s) =>
        s.streamName
      );
    };
    assert.deepEqual(await names("--category", "order"), ["order-1", "order-2"]);
    assert.deepEqual(await names("--type", "OrderShipped"), ["order-1"]);
    assert.deepEqual(await names("--prefix", "user-"), ["user-7"]);
    assert.deepEqual(await names("--category", "order", "--type", "UserJoined"), []);
    const none = await run("streams", "--category", "nothing");
    assert.equal(none.stdout, "No streams.\n");
    const bad = await run("streams", "--category", "no-dash");
    assert.equal(bad.code, 2, said(bad));
    assert.match(bad.stderr, /Invalid --category "no-dash": /);
    const tooMany = await run("streams", "--limit", "5000");
    assert.equal(tooMany.code, 2, said(tooMany));
    assert.match(tooMany.stderr, /^ordo streams: Invalid --limit "5000": [^I]*$/m, "said once");
  });

  it("read prints a stream's messages, from a version; --json gives them whole", async () => {
    const text = await run("read", "order-1");
    assert.equal(text.code, 0, said(text));
    assert.equal(
      text.stdout,
      '@1 order-1 v0 OrderPlaced 2026-03-04 05:06:07Z {"total":30}\n' +
        "@3 order-1 v1 OrderShipped 2026-03-04 05:06:07Z {}\n",
    );
    const from = await run("read", "order-1", "--from", "1", "--json");
    const [shipped] = json(from) as Record<string, unknown>[];
    assert.deepEqual({ ...shipped, id: typeof shipped.id }, {
      id: "string",
      type: "OrderShipped",
      data: {},
      metadata: { timestamp: AT },
      streamName: "order-1",
      streamVersion: 1,
      globalPosition: "3",
    });
    const empty = await run("read", "order-404");
    assert.equal(empty.code, 0, said(empty));
    assert.equal(empty.stdout, 'Stream "order-404" has no messages.\n');
    const bad = await run("read", "nodash");
    assert.equal(bad.code, 2, said(bad));
    assert.match(bad.stderr, /Invalid stream name "nodash"/);
  });

  it("streams cuts a long name in its table, says so once below it, and --prefix with --json finds it whole", async () => {
    const name = "invoice-" + "0b9c1d2e3f404a5b8c6d7e8f90a1b2c3".repeat(3);
    await pg.store.append(name, [{
      type: "InvoiceDrafted",
      data: {},
      metadata: { timestamp: AT },
    }]);
    const table = await run("streams", "--category", "invoice");
    assert.equal(table.code, 0, said(table));
    const shown = name.slice(0, 59);
    assert.equal(
      table.stdout,
      [
        "STREAM                                                        VERSION  POSITION  LAST TYPE       LAST AT",
        `${shown}…  0        5         InvoiceDrafted  2026-03-04 05:06:07Z`,
        'A value ending in … is cut to 60 characters: ordo streams --prefix "<its start>" --json shows it whole',
        "",
      ].join("\n"),
    );
    // As the note says: the start shown, as a prefix, with --json.
    const found = await run("streams", "--prefix", shown, "--json");
    assert.equal(found.code, 0, said(found));
    assert.deepEqual(
      (json(found) as { streams: { streamName: string }[] }).streams.map((s) => s.streamName),
      [name],
    );
  });

  for (const format of ["text", "json"] as const) {
    it(`tail follows new messages of a category live and stops on Ctrl-C with exit 0 (${format})`, async () => {
      const args = ["tail", "--category", "order", "--schema", "cli_store"];
      const child = startOrdo(format === "json" ? [...args, "--json"] : args, pg.server.url);
      let output = "";
      const lines: string[] = [];
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      followOutput(child, (text) => (output += text), (more) => lines.push(...more));
      const waitFor = async (check: () => boolean, what: string) => {
        const deadline = Date.now() + 30_000;
        while (!check()) {
          if (Date.now() > deadline) throw new Error(`no ${what}:\n${output}`);
          await new Promise((resolve) => setTimeout(resolve, 20));
        }
      };
      try {
        await waitFor(() => output.includes("Ctrl-C stops"), "banner");
        await pg.store.append("user-8", [{ type: "UserJoined", data: {} }]);
        const placed = await pg.store.append("order-3", [{
          type: "OrderPlaced",
          data: { total: 5 },
        }]);
        await waitFor(() => lines.length >= 1, "line for order-3");
        if (format === "text") {
          assert.match(
            lines[0],
            new RegExp(`^@${placed.globalPosition} order-3 v0 OrderPlaced .* \\{"total":5\\}$`),
          );
        } else {
          const message = JSON.parse(lines[0]);
          assert.equal(message.streamName, "order-3");
          assert.equal(message.globalPosition, String(placed.globalPosition));
        }
        assert.equal(lines.length, 1, "the user stream is not in the category");
      } finally {
        // As Ctrl-C does. process.kill, not child.kill: after child.kill, Deno's
        // node:child_process reports the signal and no exit code, however the child exited.
        process.kill(child.pid!, "SIGINT");
      }
      assert.equal(await exited, 0, output);
    });
  }
});
