/**
 * A transport's command or event handler with its deliveries traced and
 * measured by the consumer engine's delivery telemetry: each attempt a
 * `process` span linked to the producer's context in the message's metadata
 * (its child when the trace continues), each parking a `park` span. Shared by
 * the transports that deliver on their own (in-process, NATS, the HTTP
 * client's event subscriptions).
 *
 * @module
 */

import { deliveryTelemetry } from "../consumers/mod.ts";
import type { Telemetry } from "../telemetry/mod.ts";
import type { EventEndpoint, HandlerOptions } from "./transport.ts";

/**
 * `handler` and `options` of group `group`, traced when `telemetry` is set;
 * as given otherwise. `continueByDefault`: whether a delivery continues the
 * producer's trace when `options.continueTrace` does not say (commands do,
 * events not).
 *
 * @example
 * ```ts
 * import { noTelemetry } from "../telemetry/mod.ts";
 * import { tracedHandler } from "./traced_handler.ts";
 * const traced = tracedHandler(noTelemetry, "billing", () => {}, {}, false);
 * typeof traced.handler; // "function"
 * ```
 */
export function tracedHandler(
  telemetry: Telemetry | undefined,
  group: string,
  handler: EventEndpoint,
  options: HandlerOptions,
  continueByDefault: boolean,
): { readonly handler: EventEndpoint; readonly options: HandlerOptions } {
  if (telemetry === undefined) return { handler, options };
  const traces = deliveryTelemetry(telemetry, group, options.continueTrace ?? continueByDefault);
  return {
    handler: traces.wrap(handler),
    options: {
      ...options,
      onParked: (entry) => {
        traces.parked(entry);
        options.onParked?.(entry);
      },
    },
  };
}
