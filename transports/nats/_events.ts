// Events on the NATS transport: published into the NATS store (an append, so
// an event is a stored message with a global position), and delivered to each
// subscribed group by a durable consumer of its own on the store's stream, at
// its own position: a category is a subject filter, event names are matched
// here (the name is inside the record).

import {
  type EventEndpoint,
  type EventEnvelope,
  type EventSelector,
  type HandlerOptions,
  type PublishReceipt,
  receivedFromStore,
  type Registration,
  tracedHandler,
} from "../../core/messaging/mod.ts";
import {
  checkRetryPolicy,
  type JsonValue,
  traceContextOf,
  ValidationError,
} from "../../core/mod.ts";
import { decodeRecord, recordedMessages, storeSubjects } from "../../stores/nats/mod.ts";
import { type JetStreamApi, type Puller, textOf } from "../../stores/nats/jetstream/mod.ts";
import { deliverWithRetries } from "./_deliver.ts";
import { runDurable } from "./_durable_loop.ts";
import { type CheckedTransportOptions, durableName } from "./_options.ts";

/** What the event side needs of its transport. */
export interface EventContext {
  readonly api: JetStreamApi;
  readonly puller: Puller;
  readonly options: CheckedTransportOptions;
}

/** Appends an event to its stream in the store. */
export async function publishEvent(
  context: EventContext,
  event: EventEnvelope,
): Promise<PublishReceipt> {
  // The append's span (a traced store's) is the publisher's child; the event keeps the publisher's context.
  const result = await context.options.store.append(event.streamName, [{
    id: event.id,
    type: event.type,
    data: event.data as JsonValue,
    metadata: event.metadata,
  }], { trace: traceContextOf(event.metadata) });
  return {
    id: event.id,
    streamName: result.streamName,
    deduplicated: result.deduplicated,
    globalPosition: result.globalPosition,
  };
}

/** Runs `handler` for a group: one durable consumer per group, at the group's own position. */
export function subscribeGroup(
  context: EventContext,
  group: string,
  selector: EventSelector,
  given: EventEndpoint,
  givenOptions: HandlerOptions,
): Registration {
  if (typeof group !== "string" || group.length === 0) {
    throw new ValidationError("group", group, "must be a non-empty string");
  }
  const { api, puller, options } = context;
  // Events fan out: by default each delivery starts a trace of its own, linked to the publisher's.
  const { handler, options: handlerOptions } = tracedHandler(
    options.telemetry,
    group,
    given,
    givenOptions,
    false,
  );
  const subjects = storeSubjects(options.store.subjectPrefix);
  const types = Array.isArray(selector) ? selector : undefined;
  const filter = types === undefined
    ? subjects.category((selector as { category: string }).category)
    : subjects.all;
  const retry = checkRetryPolicy(handlerOptions.retry ?? options.retry);
  const onError = (error: unknown) => {
    handlerOptions.onError?.(error);
    options.onError(error);
  };
  const stopping = new AbortController();
  const loop = runDurable({
    api,
    puller,
    stream: options.store.stream,
    config: {
      durable_name: durableName("evt", group),
      filter_subject: filter,
      deliver_policy: "all",
      ack_policy: "explicit",
      ack_wait: options.ackWait * 1_000_000,
      max_ack_pending: options.maxAckPending,
      max_deliver: -1,
    },
    retry: options.loopRetry,
    signal: stopping.signal,
    onError,
    logger: options.logger,
    handle: async (message) => {
      const record = decodeRecord(textOf(message.data));
      if (record === undefined) return;
      for (const event of recordedMessages(record, message.seq)) {
        if (types !== undefined && !types.includes(event.type)) continue;
        await deliverWithRetries({
          group,
          message: event,
          retry,
          signal: stopping.signal,
          onError,
          logger: options.logger,
          attempt: async (attempt) => {
            await handler(receivedFromStore(event), {
              idempotencyKey: event.id,
              attempt,
              group,
              tx: undefined,
            });
          },
          park: async (entry) => {
            await options.storage?.parked.park(entry);
            handlerOptions.onParked?.(entry);
          },
        });
      }
    },
  });
  return { ready: loop.ready, stop: () => (stopping.abort(), loop.done) };
}
