// `ordo rebuild` stopped by Ctrl-C: by default it commits a page at a time,
// so it finishes the page in progress first, which with slow handlers took
// many seconds without a word while the help said "after the handler in
// progress". It says what it waits for, and exits 1 with the checkpoint.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { PGlite } from "@electric-sql/pglite";
import { type CliIo, runCli } from "../../cli/mod.ts";
import { createPGliteStore } from "../../stores/postgres/mod.ts";
import { ROOT } from "../_paths.ts";
import { firstHandled } from "./_paced_projection.ts";

describe("ordo rebuild and Ctrl-C", () => {
  it("says it stops after the page in progress, then stops there and exits 1", async () => {
    const dir = await mkdtemp(join(tmpdir(), "ordo-rebuild-stop-"));
    try {
      const pg = await PGlite.create(dir);
      const store = createPGliteStore(pg);
      await store.migrate();
      for (let i = 1; i <= 5; i++) {
        await store.append(`order-${i}`, [{ type: "OrderPlaced", data: { total: i } }]);
      }
      await store.close();
      await pg.close();

      const ctrlC = new AbortController();
      const err: string[] = [];
      const io: CliIo = {
        out: () => {},
        err: (text) => void err.push(text),
        isTTY: false,
        columns: 80,
        env: {},
        signal: ctrlC.signal,
        cwd: ROOT,
      };
      const run = runCli(["rebuild", "tests/cli/_paced_projection.ts", "--pglite", dir], io);
      await firstHandled;
      ctrlC.abort();
      assert.equal(await run, 1, err.join(""));
      const said = err.join("");
      assert.match(
        said,
        /Stopping after the page in progress \(up to 100 messages, committed together\); Ctrl-C again exits now and rolls it back\./,
      );
      // The page held all five messages: it ran to its end, as the line said.
      assert.match(said, /Group "paced" stopped after position 5: 5 messages/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
