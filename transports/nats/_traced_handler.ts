// A command or event handler of the NATS transport with its deliveries traced
// and measured by the consumer engine's delivery telemetry: each attempt a
// `process` span linked to the producer's context in the message's metadata
// (its child when the trace continues), each parking a `park` span.
import { deliveryTelemetry, type Telemetry } from "../../core/mod.ts";
import type { EventEndpoint, HandlerOptions } from "../../core/messaging/mod.ts";

/**
 * `handler` and `handlerOptions` of group `group`, traced when `telemetry` is
 * set; as given otherwise. `continueByDefault`: whether a delivery continues
 * the producer's trace when the options do not say (commands do, events not).
 */
export function tracedHandler(
  telemetry: Telemetry | undefined,
  group: string,
  handler: EventEndpoint,
  handlerOptions: HandlerOptions,
  continueByDefault: boolean,
): { readonly handler: EventEndpoint; readonly handlerOptions: HandlerOptions } {
  if (telemetry === undefined) return { handler, handlerOptions };
  const continueTrace = handlerOptions.continueTrace ?? continueByDefault;
  const traces = deliveryTelemetry(telemetry, group, continueTrace);
  return {
    handler: traces.wrap(handler),
    handlerOptions: {
      ...handlerOptions,
      onParked: (entry) => {
        traces.parked(entry);
        handlerOptions.onParked?.(entry);
      },
    },
  };
}
