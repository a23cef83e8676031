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
} from "../../core/messaging/mod.ts";
import { type JsonValue, traceContextOf, ValidationError } from "../../core/mod.ts";
import { decodeRecord, recordedMessages, storeSubjects } from "../../stores/nats/mod.ts";
import { type JetStreamApi, type Puller, textOf } from "../../stores/nats/jetstream/mod.ts";
import { deliverWithRetries } from "./_deliver.ts";
import { runHandlerLoop } from "./_handler_loop.ts";
import { type CheckedTransportOptions, durableName } from "./_options.ts";

/** What the event side needs of its transport. */
export interface EventContext {
  readonly api: JetStreamApi;
  readonly puller: Puller;
  readonly options: CheckedTransportOptions;
  /** Aborted when the connection closed for good. */
  readonly lost: AbortSignal;
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
  handler: EventEndpoint,
  handlerOptions: HandlerOptions,
): Registration {
  if (typeof group !== "string" || group.length === 0) {
    throw new ValidationError("group", group, "must be a non-empty string");
  }
  const { options } = context;
  const subjects = storeSubjects(options.store.subjectPrefix);
  const types = Array.isArray(selector) ? selector : undefined;
  const filter = types === undefined
    ? subjects.category((selector as { category: string }).category)
    : subjects.all;
  return runHandlerLoop(context, {
    group,
    stream: options.store.stream,
    durable: durableName("evt", group),
    filter,
    handler,
    handlerOptions,
    // Events fan out: by default each delivery starts a trace of its own, linked to the publisher's.
    continueTrace: false,
  }, async (message, how) => {
    const record = decodeRecord(textOf(message.data));
    if (record === undefined) return;
    for (const event of recordedMessages(record, message.seq)) {
      if (types !== undefined && !types.includes(event.type)) continue;
      await deliverWithRetries({
        group,
        message: event,
        retry: how.retry,
        signal: how.signal,
        onError: how.onError,
        logger: how.logger,
        attempt: async (attempt) => {
          await how.handler(receivedFromStore(event), {
            idempotencyKey: event.id,
            attempt,
            group,
            tx: undefined,
          });
        },
        park: async (entry) => {
          await options.storage?.parked.park(entry);
          how.handlerOptions.onParked?.(entry);
        },
      });
    }
  });
}
