/**
 * @module
 * Testing helpers for ordo users. `checkProjection` runs fast-check
 * properties that check a projection gives the same read model under
 * redelivery, crashes and restarts of a consumer, and other interleavings of
 * streams, as under one clean pass: a read model in memory, or SQL tables
 * written through the consumer's transaction on PGlite. `deciderSpec` and
 * `projectionSpec` are given / when / then specifications. fast-check and
 * PGlite are passed in, not imported, so this module loads straight from a
 * URL; failures throw an `AssertionError` whose message holds the diff, so
 * they read the same under `node:test`, `Deno.test` and `bun test`.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { checkProjection } from "./mod.ts";
 * await checkProjection(fc, {
 *   projection: { init: () => ({ count: 0, seen: new Set<string>() }), apply: (m, e) => { if (!m.seen.has(e.id)) { m.seen.add(e.id); m.count++; } } },
 *   events: fc.array(fc.record({ streamName: fc.constantFrom("order-1", "order-2"), type: fc.constant("Placed"), data: fc.constant({}) })),
 * });
 * ```
 */

export { AssertionError } from "./assertion_error.ts";
export {
  checkProjection,
  type CheckProjectionOptions,
  type CheckSqlProjectionOptions,
  type FastCheck,
  type HistoryEvent,
  type HistoryEventOf,
  type ProjectionChecks,
  type ProjectionUnderTest,
  type SqlProjectionUnderTest,
} from "./check_projection.ts";
export { checkLeaseStore, type CheckLeaseStoreOptions } from "./check_lease_store.ts";
export {
  type DeciderGiven,
  type DeciderSpec,
  deciderSpec,
  type DeciderWhen,
} from "./decider_spec.ts";
export {
  type ProjectionGiven,
  type ProjectionSpec,
  projectionSpec,
  type ProjectionWhen,
} from "./projection_spec.ts";
