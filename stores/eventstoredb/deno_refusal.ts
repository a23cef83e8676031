/**
 * The store refuses to be created on Deno, where the EventStoreDB clients
 * would crash the process later. Deno 2.9.5's `node:http2` dies inside
 * nghttp2 (SIGSEGV, or SIGABRT on an nghttp2 assertion) when a server sends
 * GOAWAY and closes a connection with no call in flight while the client
 * closes its session from its "goaway" listener, which is what
 * `@grpc/grpc-js`, under both `@eventstore/db-client` and
 * `@kurrent/kurrentdb-client`, does. An HTTP/2 server shutting down
 * gracefully sends GOAWAY, so a Deno process holding a client would die,
 * uncatchably, at the next server restart. Reads, appends, subscriptions, deadlines and
 * keepalive all work on Deno; only that crash is the reason. Measured by
 * tests/stores/eventstoredb_runtime.test.ts; docs/decisions/eventstoredb.md,
 * "Runtimes", has the evidence and the minimal reproduction.
 *
 * Only the `Deno` global is read, to tell the runtime; nothing Deno-specific
 * is called.
 *
 * @module
 */

import { UnsupportedRuntimeError, ValidationError } from "../../core/mod.ts";

/** What to do on a runtime where the clients are known to crash the process: refuse (default) or allow. */
export type UnsupportedRuntimePolicy = "refuse" | "allow";

/**
 * Checks the `unsupportedRuntime` option.
 *
 * @throws {ValidationError} at `options.unsupportedRuntime` for anything but `"refuse"`, `"allow"` or `undefined`
 * @example
 * ```ts
 * import { validateUnsupportedRuntime } from "./deno_refusal.ts";
 * validateUnsupportedRuntime(undefined); // "refuse"
 * ```
 */
export function validateUnsupportedRuntime(policy: unknown): UnsupportedRuntimePolicy {
  if (policy === undefined) return "refuse";
  if (policy === "refuse" || policy === "allow") return policy;
  throw new ValidationError("options.unsupportedRuntime", policy, 'expected "refuse" or "allow"');
}

/**
 * Throws on Deno unless `policy` is `"allow"`.
 *
 * @throws {UnsupportedRuntimeError} naming the Deno version, the crash and what to use instead
 * @example
 * ```ts
 * import { refuseDeno } from "./deno_refusal.ts";
 * refuseDeno("allow"); // never throws
 * ```
 */
export function refuseDeno(policy: UnsupportedRuntimePolicy): void {
  const version = (globalThis as { Deno?: { version?: { deno?: unknown } } }).Deno?.version?.deno;
  if (typeof version !== "string" || policy === "allow") return;
  throw new UnsupportedRuntimeError(
    `Deno ${version}`,
    "an EventStoreDB client",
    "Deno's node:http2 crashes the whole process " +
      "(segfault in nghttp2) when the server sends GOAWAY and closes an idle connection, as a server shutting down " +
      'does (denoland/deno#36788); use Node 20+ or Bun, or pass unsupportedRuntime: "allow" to accept the risk',
  );
}
