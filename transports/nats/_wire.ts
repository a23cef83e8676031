// What travels on NATS between a transport's client calls and its handlers:
// commands on the work queue, command outcomes in the ledger and on the
// reply subject, query requests and answers. All JSON.
import type { CommandEnvelope, ReceivedMessage } from "../../core/messaging/mod.ts";
import type { JsonValue, MessageMetadata } from "../../core/mod.ts";

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
    | { readonly s: "failed"; readonly e: { readonly name: string; readonly message: string } }
  );

/** A query's answer. */
export type QueryAnswer =
  | { readonly ok: true; readonly r: JsonValue }
  | {
    readonly ok: false;
    readonly e: { readonly name: string; readonly message: string; readonly tag?: string };
  };

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

/** An error rebuilt from its name and message. */
export function rebuiltError(e: { readonly name: string; readonly message: string }): Error {
  const error = new Error(e.message);
  error.name = e.name;
  return error;
}

/** Name and message of a thrown value, for the wire. */
export function wireError(error: unknown): { name: string; message: string; tag?: string } {
  if (error instanceof Error) {
    const tag = (error as { _tag?: unknown })._tag;
    return {
      name: error.name,
      message: error.message,
      ...(typeof tag === "string" ? { tag } : {}),
    };
  }
  return { name: "Error", message: String(error) };
}
