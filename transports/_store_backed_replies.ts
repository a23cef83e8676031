// The store-backed transport's messages in the store: a command or event as
// an append's input, the check that a deduplicated command is the same
// command, and the reply a command's sender waits for (one per command, in a
// stream named after the command id).

import {
  type CommittedAppend,
  ConcurrencyError,
  errorBody,
  errorFromBody,
  type EventStore,
  IdempotencyConflictError,
  type JsonValue,
  type RecordedMessage,
  sameContent,
  type TraceContext,
} from "../core/mod.ts";
import {
  asHandlerAnswer,
  type CommandEnvelope,
  type EventEnvelope,
} from "../core/messaging/mod.ts";

/**
 * The data of a reply message. A failure's error is the error's body
 * (`errorBody`: tag, name, message and fields) when it is ordo's, so the
 * sender gets the same class back; name and message otherwise.
 */
export type ReplyData =
  | { readonly ok: true; readonly result: JsonValue }
  | {
    readonly ok: false;
    readonly error: {
      readonly name: string;
      readonly message: string;
      readonly [field: string]: unknown;
    };
  };

/** A failure reply's error: ordo's errors as their body, any other by name and message. */
export function replyError(
  error: unknown,
): { readonly name: string; readonly message: string; readonly [field: string]: unknown } {
  return errorBody(error) ??
    (error instanceof Error
      ? { name: error.name, message: error.message }
      : { name: "NonError", message: String(error) });
}

/** The type of reply messages. */
export const REPLY_TYPE = "ordo/reply";

/** A command or event as the input of an append. */
export function toInput(
  message: CommandEnvelope | EventEnvelope,
  metadata: CommandEnvelope["metadata"],
) {
  return { id: message.id, type: message.type, data: message.data as JsonValue, metadata };
}

/** A command the store deduplicated must be the same command: its type and data are compared with the stored one's. */
export async function refuseConflict(
  store: EventStore,
  command: CommandEnvelope,
  append: CommittedAppend,
): Promise<void> {
  if (!append.deduplicated) return;
  const [stored] = await store.readStream(append.streamName, {
    from: append.streamVersion,
    limit: 1,
  });
  if (
    stored !== undefined &&
    (stored.type !== command.type || !sameContent(stored.data, command.data))
  ) {
    throw new IdempotencyConflictError(command.id, command.type);
  }
}

/** The reply stream a waiting sender named in the command's metadata, if any. */
export function replyToOf(message: RecordedMessage): string | undefined {
  const replyTo = message.metadata.replyTo;
  return typeof replyTo === "string" ? replyTo : undefined;
}

/** Writes the reply to a command, once (see below), as part of `trace` (the handler's span). */
// One reply per command: the reply stream must not exist yet, so a second
// writer (a redelivery after a crash) loses quietly.
export async function writeReply(
  store: EventStore,
  replyTo: string,
  command: RecordedMessage,
  data: ReplyData,
  trace?: TraceContext,
): Promise<void> {
  try {
    await store.append(replyTo, [{
      type: REPLY_TYPE,
      data: data as unknown as JsonValue,
      metadata: {
        correlationId: command.metadata.correlationId ?? command.id,
        causationId: command.id,
      },
    }], { expectedVersion: "no-stream", awaitGlobalPosition: false, trace });
  } catch (error) {
    if (!(error instanceof ConcurrencyError)) throw error;
  }
}

/**
 * The handler's result from a reply, or its error thrown: an ordo error as its
 * own class with its fields, any other as an `Error` with its name and message.
 */
export function unpackReply(reply: RecordedMessage): unknown {
  const data = reply.data as unknown as ReplyData;
  if (data.ok) return data.result;
  // The handler's answer, which the sender's bus neither retries nor counts against its breaker.
  const rebuilt = errorFromBody(data.error);
  if (rebuilt !== undefined) throw asHandlerAnswer(rebuilt);
  const error = new Error(data.error.message);
  error.name = data.error.name;
  throw asHandlerAnswer(error);
}
