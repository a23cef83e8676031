/**
 * @module
 * Testing helpers for ordo users: fast-check properties that check a
 * projection (a read model and its handler) gives the same read model under
 * redelivery, crashes and restarts of a consumer, and other interleavings of
 * streams, as under one clean pass. fast-check is passed in, not imported,
 * so this module loads straight from a URL.
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

export {
  checkProjection,
  type CheckProjectionOptions,
  type FastCheck,
  type HistoryEvent,
  type ProjectionChecks,
  type ProjectionUnderTest,
} from "./check_projection.ts";
