// The HTTP handler under Deno.serve: Deno 2.9 warns on stderr ("request.signal
// aborts on successful responses (legacy behavior)") once a request whose
// signal was read is answered. The handler read every request's signal; it
// now reads it only for a call that waits on it, so plain calls leave stderr
// clean. Deno only: Deno.serve is the server under test.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DENO, ROOT } from "../_paths.ts";
import { run } from "../_process.ts";

const onDeno = "Deno" in globalThis;

describe("HTTP handler on Deno.serve", () => {
  it("answers a query, a send and a failing query without Deno's request.signal warning", {
    skip: onDeno ? false : "Deno.serve runs on Deno only",
  }, async () => {
    const result = await run(DENO, ["run", "-A", `${ROOT}tests/messaging/_deno_serve_child.ts`], {
      timeout: 60_000,
    });
    assert.equal(result.code, 0, result.stderr);
    assert.deepEqual(result.stdout.trim().split("\n"), [
      'query {"shown":{"id":1}}',
      "send false",
      "failed ServerError",
    ]);
    assert.doesNotMatch(result.stderr, /request\.signal/);
  });
});
