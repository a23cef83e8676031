/**
 * @module
 * ordo's telemetry for OpenTelemetry (`ordo/opentelemetry`): `openTelemetry()`
 * implements the `Telemetry` port of the core with `@opentelemetry/api`, so
 * stores, transports, buses and consumers given it as `telemetry` report
 * spans per the messaging semantic conventions (producer, consumer, client)
 * and metrics (consumer lag, handler durations, retries, parked messages,
 * append durations, call durations, breaker state). Register an SDK's
 * providers yourself; ordo only calls the API. Unlike the core, this entry
 * imports `@opentelemetry/api` (an optional peer dependency, 1.x) at run
 * time: in Deno from a URL, map it in your deno.json.
 *
 * Runs on: Deno, Bun, Node, Cloudflare Workers and other Web-standard runtimes.
 *
 * @example
 * ```ts
 * import { createMemoryStore } from "../mod.ts";
 * import { openTelemetry } from "./mod.ts";
 * // After registering a tracer provider and a meter provider from an SDK:
 * const store = createMemoryStore({ telemetry: openTelemetry() });
 * await store.append("order-1", [{ type: "OrderPlaced", data: {} }]); // an `append order` span
 * ```
 */

export { openTelemetry, type OpenTelemetryOptions } from "./open_telemetry.ts";
