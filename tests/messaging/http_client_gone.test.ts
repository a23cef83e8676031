// A client that gives up on a sendAndWait (an abort, a timeout, a killed
// process) while its command's handler has not answered: the server's wait
// ends within milliseconds, so handler.close() does not wait for it, and
// nothing is logged as a failure. Over the in-process transport, which does
// not look at the call's signal, the wait used to last until the handler
// answered (forever for `Prefer: wait`): close() then waited for it. Every
// server was measured noticing the client within 10 ms (request.signal on
// Deno.serve and Bun.serve, the socket's close on node:http); the wait just
// never listened. Served by node:http through the node adapter (on each
// runtime), by the Web handler directly, and by Deno.serve and Bun.serve in
// child processes (run from every runner).
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { BUN, DENO, ROOT } from "../_paths.ts";
import { run } from "../_process.ts";
import { abandonWait, type ClientGoneResult, GONE_TOKEN, slowHandler } from "./_client_gone.ts";
import { startHttpServer } from "./_http_fixture.ts";

/** Well above the 0–20 ms measured, well below "until the handler answers". */
const PROMPT_MS = 1_000;

function ms(value: number | null): string {
  return value === null ? "not within 3 s" : `${value} ms`;
}

function assertPrompt(result: ClientGoneResult, where: string): void {
  if (result.settledMs !== undefined) {
    assert.ok(
      result.settledMs !== null && result.settledMs < PROMPT_MS,
      `${where}: the server's wait ended ${ms(result.settledMs)} after the client left`,
    );
  }
  assert.ok(
    result.closeMs !== null && result.closeMs < PROMPT_MS,
    `${where}: handler.close() returned ${ms(result.closeMs)} after the client left`,
  );
  assert.deepEqual(result.logged, [], `${where}: a client leaving is no failure`);
}

const PREFERENCES = ["wait", "wait=60"];

describe("HTTP server: a client that leaves a sendAndWait", () => {
  for (const prefer of PREFERENCES) {
    it(`node:http (node adapter): the wait and close() end at once (Prefer: ${prefer})`, async () => {
      const slow = slowHandler();
      const server = await startHttpServer(slow.handler);
      try {
        assertPrompt(await abandonWait(server.url, slow, prefer), "node:http");
      } finally {
        await slow.release();
        await server.close();
      }
    });

    it(`the Web handler: a Request whose signal aborts ends the wait at once (Prefer: ${prefer})`, async () => {
      const slow = slowHandler();
      const controller = new AbortController();
      const answer = slow.handler.fetch(
        new Request("http://server/commands/slow/run", {
          method: "POST",
          headers: { authorization: `Bearer ${GONE_TOKEN}`, prefer },
          body: JSON.stringify({ id: crypto.randomUUID(), data: {} }),
          signal: controller.signal,
        }),
      );
      try {
        await slow.started;
        const aborted = performance.now();
        controller.abort();
        const response = await Promise.race([
          answer,
          new Promise<null>((resolve) => setTimeout(() => resolve(null), 3_000)),
        ]);
        const took = performance.now() - aborted;
        assert.ok(response !== null, "the handler's answer had not settled 3 s after the abort");
        assert.ok(took < PROMPT_MS, `the answer took ${Math.round(took)} ms`);
        await response.body?.cancel();
        const closing = performance.now();
        await slow.handler.close();
        assert.ok(performance.now() - closing < PROMPT_MS);
        assert.deepEqual(slow.logged, []);
      } finally {
        await slow.release();
      }
    });
  }

  for (const [server, binary] of [["deno", DENO], ["bun", BUN]] as const) {
    it(`${server === "deno" ? "Deno" : "Bun"}.serve (a child process): the wait and close() end at once`, async () => {
      const args = server === "deno" ? ["run", "-A"] : ["run"];
      const result = await run(
        binary,
        [...args, `${ROOT}tests/messaging/_client_gone_child.ts`, server, "wait"],
        { timeout: 60_000 },
      );
      assert.equal(result.code, 0, result.stderr);
      const lines = result.stdout.trim().split("\n");
      assertPrompt(JSON.parse(lines[lines.length - 1]), `${server}.serve`);
    });
  }
});
