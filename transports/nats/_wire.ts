// What travels on NATS between a transport's client calls and its handlers:
// commands on the work queue, command outcomes in the ledger and on the
// reply subject, query requests and answers. All JSON.
import {
  asHandlerAnswer,
  type CommandEnvelope,
  type ReceivedMessage,
} from "../../core/messaging/mod.ts";
import { errorBody, errorFromBody, type JsonValue, type MessageMetadata } from "../../core/mod.ts";

/** A command as stored on the work queue. */
export interface CommandWire {
  readonly id: string;
  readonly type: string;
  readonly data: unknown;
  readonly key: string;
  readonly metadata: MessageMetadata;
}

/**
 * A command's outcome, as the ledger keeps it and the reply subject carries
 * it; `f` is the command's fingerprint (`_fingerprint.ts`).
 */
export type Outcome =
  & { readonly f?: string }
  & (
    | { readonly s: "accepted" }
    | { readonly s: "done"; readonly r: JsonValue }
    | { readonly s: "failed"; readonly e: WireError }
  );

/** A query's answer. */
export type QueryAnswer =
  | { readonly ok: true; readonly r: JsonValue }
  | { readonly ok: false; readonly e: WireError };

/**
 * An error as it travels: an ordo error's body (tag, name, message, fields:
 * `errorBody`), so the caller gets the same class back; any other error's
 * name and message. `tag` is what earlier versions sent for ordo errors.
 */
export interface WireError {
  readonly name: string;
  readonly message: string;
  readonly tag?: string;
  readonly [field: string]: unknown;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** JSON bytes of a value. */
export function toBytes(value: unknown): Uint8Array {
  return encoder.encode(JSON.stringify(value));
}

/** A value from JSON bytes; `undefined` for empty or broken input. */
export function fromBytes<T>(bytes: Uint8Array): T | undefined {
  if (bytes.length === 0) return undefined;
  try {
    return JSON.parse(decoder.decode(bytes)) as T;
  } catch {
    return undefined;
  }
}

/** The wire form of a command. */
export function commandWire(command: CommandEnvelope): CommandWire {
  return {
    id: command.id,
    type: command.type,
    data: command.data,
    key: command.key,
    metadata: command.metadata,
  };
}

/** A command as its handler receives it. */
export function receivedCommand(wire: CommandWire, streamName: string): ReceivedMessage {
  return {
    id: wire.id,
    type: wire.type,
    data: wire.data,
    metadata: wire.metadata,
    streamName,
  };
}

/** The value or the error an outcome holds. */
export function unpackOutcome(outcome: Outcome): unknown {
  if (outcome.s === "done") return outcome.r;
  if (outcome.s === "failed") throw rebuiltError(outcome.e);
  return undefined;
}

/**
 * An error rebuilt from the wire: an ordo error as its own class with its
 * fields, any other as an `Error` with its name and message.
 */
export function rebuiltError(e: WireError): Error {
  // Always a handler's error (an outcome's or a query answer's): marked as its
  // answer, which the sender's bus neither retries nor counts against its breaker.
  const ordo = errorFromBody(e);
  if (ordo !== undefined) return asHandlerAnswer(ordo);
  const error = new Error(e.message);
  error.name = e.name;
  return asHandlerAnswer(error);
}

/** A thrown value for the wire: see {@link WireError}. */
export function wireError(error: unknown): WireError {
  const body = errorBody(error);
  if (body !== undefined) return body;
  if (error instanceof Error) return { name: error.name, message: error.message };
  return { name: "Error", message: String(error) };
}
