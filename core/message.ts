/**
 * The message model: what a writer hands to `append` and what a reader gets
 * back once the store has given the message its place.
 *
 * @module
 */

import type { JsonObject, JsonValue } from "./json.ts";

/**
 * Metadata travelling with a message. The named fields have fixed meanings;
 * any other field is the user's, as long as it is JSON.
 */
export interface MessageMetadata {
  /** Id shared by every message of one conversation (usually the first message's id). */
  readonly correlationId?: string;
  /** Id of the message that caused this one. */
  readonly causationId?: string;
  /** When the message was written, as an ISO 8601 string; the store sets it if absent. */
  readonly timestamp?: string;
  /** Version of the message's data schema, a positive integer; readers upcast from it. */
  readonly schemaVersion?: number;
  /** Any other field is the writer's own, as long as it is JSON. */
  readonly [field: string]: JsonValue | undefined;
}

/**
 * A message as a writer hands it to `append`.
 *
 * `id` is the idempotency key: appending a message whose id is already stored
 * does not store it again. Give one (a UUID) whenever the append may be
 * retried; when absent, the store makes a random one.
 */
export interface MessageInput<Type extends string = string, Data = unknown> {
  /** The idempotency key, a UUID in any case; the store generates one when absent. */
  readonly id?: string;
  /** What happened or is asked (`OrderPlaced`); readers dispatch on it. */
  readonly type: Type;
  /** The payload: JSON, which the store copies and freezes. */
  readonly data: Data;
  /** Correlation, causation, schema version and fields of your own; the store sets `timestamp` if absent. */
  readonly metadata?: MessageMetadata;
}

/** A message after validation: id chosen, data and metadata copied and frozen. */
export interface Message<Type extends string = string, Data = JsonValue> {
  /** The idempotency key: the writer's UUID lowercased, or one the store generated. */
  readonly id: string;
  /** What happened or is asked (`OrderPlaced`). */
  readonly type: Type;
  /** The payload, a frozen copy of what the writer gave. */
  readonly data: Data;
  /** The writer's metadata, frozen, with `timestamp` always set. */
  readonly metadata: MessageMetadata & { readonly timestamp: string };
}

/**
 * A stored message and its place: `streamVersion` counts from 0 within its
 * stream without gaps, and `globalPosition` increases strictly across the
 * whole store (it may have gaps). Both are fixed forever once read.
 */
export interface RecordedMessage<Type extends string = string, Data = JsonValue>
  extends Message<Type, Data> {
  /** The stream it was appended to; its category is the part before the first dash. */
  readonly streamName: string;
  /** Its version in the stream: 0, 1, 2, … without gaps. */
  readonly streamVersion: number;
  /** Its position in the whole store: above 0, strictly increasing, perhaps with gaps. */
  readonly globalPosition: bigint;
}

/**
 * What the writer expects of the stream before its append:
 * - a number: the stream's current version (the last message's streamVersion);
 * - `"no-stream"`: the stream has no messages;
 * - `"exists"`: the stream has at least one message;
 * - `"any"`: no check.
 */
export type ExpectedVersion = number | "no-stream" | "exists" | "any";

/** Data and metadata of a message as JSON objects, for code that does not know the types. */
export type AnyMessage = Message<string, JsonValue>;

/**
 * One kind of message: its `type` name and the `data` it carries. A union of
 * these, given once, types a store, its reads, consumers and deciders, so
 * that `message.type` narrows `message.data`:
 * `type OrderEvent = { type: "OrderPlaced"; data: { total: number } } | { type: "OrderShipped"; data: {} }`.
 * Data may be declared with interfaces; that it is JSON is checked when it is appended.
 */
export interface MessageShape {
  /** The message's type name, a string literal in a typed union (`"OrderPlaced"`). */
  readonly type: string;
  /** What a message of this type carries. */
  readonly data: unknown;
}

/** The shape of messages whose types are not given: any type name, JSON data. The default everywhere. */
export interface JsonMessage extends MessageShape {
  /** Any type name. */
  readonly type: string;
  /** Any JSON value. */
  readonly data: JsonValue;
}

/**
 * The recorded message of each member of `E`: a union whose `type` narrows
 * its `data`. `RecordedMessageOf<JsonMessage>` is `RecordedMessage`.
 */
export type RecordedMessageOf<E extends MessageShape> = E extends MessageShape
  ? RecordedMessage<E["type"], E["data"]>
  : never;

/**
 * What `append` takes for each member of `E`. Where the data is declared as
 * any JSON (the untyped default), any value is accepted here and checked to
 * be JSON at run time.
 */
export type MessageInputOf<E extends MessageShape> = E extends MessageShape
  ? MessageInput<E["type"], JsonValue extends E["data"] ? unknown : E["data"]>
  : never;

/** Shorthand for plain JSON data. */
export type { JsonObject, JsonValue };
