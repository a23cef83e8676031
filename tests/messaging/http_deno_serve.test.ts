// The HTTP handler under Deno.serve: Deno 2.9 warns on stderr ("request.signal
// aborts on successful responses (legacy behavior)") once a request whose
// signal was read is answered. The handler read every request's signal; it
// now reads it only for a call that waits on it, so plain calls leave stderr
// clean. A query's transport gets no request signal either (the in-process
// one honours the call's signal, and read it for a query answered later). Deno only: Deno.serve is the server under test.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { DENO, ROOT } from "../_paths.ts";
import { run } from "../_process.ts";

const onDeno = "Deno" in globalThis;

describe("HTTP handler on Deno.serve", () => {
  it(
    "answers a query (at once and later), a send and a failing query without Deno's request.signal warning",
    {
      skip: onDeno ? false : "Deno.serve runs on Deno only",
    },
    async () => {
      const result = await run(DENO, ["run", "-A", `${ROOT}tests/messaging/_deno_serve_child.ts`], {
        timeout: 60_000,
      });
      assert.equal(result.code, 0, result.stderr);
      assert.deepEqual(result.stdout.trim().split("\n"), [
        'query {"shown":{"id":1}}',
        'later {"later":{"id":2}}',
        "send false",
        "failed ServerError",
      ]);
      assert.doesNotMatch(result.stderr, /request\.signal/);
    },
  );
});
