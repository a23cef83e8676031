// One handler of the NATS transport as a durable loop: the handler traced
// (when the transport has telemetry), its retry rule and error report
// settled, and a durable consumer on `stream` filtered to its subject, whose
// messages `handle` delivers. Commands and event groups differ only in the
// stream, the durable's name, the filter and how a message is delivered.

import type { EventEndpoint, HandlerOptions, Registration } from "../../core/messaging/mod.ts";
import { tracedHandler } from "../../core/messaging/mod.ts";
import {
  type CheckedRetryPolicy,
  checkRetryPolicy,
  type Logger,
  tellHooks,
} from "../../core/mod.ts";
import type { JetStreamApi, PulledMessage, Puller } from "../../stores/nats/jetstream/mod.ts";
import { runDurable } from "./_durable_loop.ts";
import type { CheckedTransportOptions } from "./_options.ts";

/** What a loop's deliveries use: the handler as traced, and the rules it runs under. */
export interface HandlerLoopParts {
  readonly handler: EventEndpoint;
  readonly handlerOptions: HandlerOptions;
  readonly retry: CheckedRetryPolicy;
  /** Tells the handler's `onError`, then the transport's; never throws (a hook's throw is logged). */
  readonly onError: (error: unknown) => void;
  /** Aborts when the registration stops, or its connection closed for good. */
  readonly signal: AbortSignal;
  /** Where its failures are logged: the registration's `logger` (the bus's), else the transport's. */
  readonly logger: Logger;
}

/** Where a loop reads and whose handler it runs. */
export interface HandlerLoopSpec {
  /** The consumer group the handler's deliveries are traced under. */
  readonly group: string;
  readonly stream: string;
  readonly durable: string;
  readonly filter: string;
  readonly handler: EventEndpoint;
  readonly handlerOptions: HandlerOptions;
  /** Whether a delivery continues the producer's trace unless `continueTrace` says (commands do). */
  readonly continueTrace: boolean;
}

/** Starts the loop; its registration stops it and resolves once the message in hand is done. */
export function runHandlerLoop(
  context: {
    readonly api: JetStreamApi;
    readonly puller: Puller;
    readonly options: CheckedTransportOptions;
    /** Aborted when the connection closed for good: the loop and its retries end. */
    readonly lost: AbortSignal;
  },
  spec: HandlerLoopSpec,
  handle: (message: PulledMessage, parts: HandlerLoopParts) => Promise<void>,
): Registration {
  const { api, puller, options } = context;
  const { handler, options: handlerOptions } = tracedHandler(
    options.telemetry,
    spec.group,
    spec.handler,
    spec.handlerOptions,
    spec.continueTrace,
  );
  const retry = checkRetryPolicy(handlerOptions.retry ?? options.retry);
  const logger = handlerOptions.logger ?? options.logger;
  // The registration's hook, then the transport's. One that throws is logged: it must not end
  // the delivery, or the loop, which is all that delivers.
  const onError = (error: unknown) =>
    tellHooks([handlerOptions.onError, options.onError], [error], {
      logger,
      fields: { group: spec.group },
    });
  const stopping = new AbortController();
  const signal = AbortSignal.any([stopping.signal, context.lost]);
  const parts: HandlerLoopParts = { handler, handlerOptions, retry, onError, signal, logger };
  const loop = runDurable({
    api,
    puller,
    stream: spec.stream,
    config: {
      durable_name: spec.durable,
      filter_subject: spec.filter,
      deliver_policy: "all",
      ack_policy: "explicit",
      ack_wait: options.ackWait * 1_000_000,
      max_ack_pending: options.maxAckPending,
      max_deliver: -1,
    },
    retry: options.loopRetry,
    signal,
    lost: context.lost,
    operation: `deliver to group "${spec.group}"`,
    onError,
    logger: options.logger,
    handle: (message) => handle(message, parts),
  });
  return { ready: loop.ready, stop: () => (stopping.abort(), loop.done) };
}
