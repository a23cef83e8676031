// An event subscription's handler with its deliveries traced and measured
// (the consumer engine's delivery telemetry), when the transport has telemetry.

import { deliveryTelemetry, type Telemetry } from "../../../core/mod.ts";
import type { EventEndpoint, HandlerOptions } from "../../../core/messaging/mod.ts";

/** `handler` and `options` of group `group`, traced when `telemetry` is set. */
export function tracedSubscriber(
  telemetry: Telemetry | undefined,
  group: string,
  handler: EventEndpoint,
  options: HandlerOptions,
): { readonly handler: EventEndpoint; readonly options: HandlerOptions } {
  if (telemetry === undefined) return { handler, options };
  const traces = deliveryTelemetry(telemetry, group, options.continueTrace ?? false);
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
