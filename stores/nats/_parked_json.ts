// A parked message as JSON (positions as decimal text) and back.
import type { JsonValue, ParkedMessage, RecordedMessage } from "../../core/mod.ts";

/** The JSON form of a parked entry. */
export function parkedToJson(entry: ParkedMessage): JsonValue {
  return {
    group: entry.group,
    partition: entry.partition,
    message: { ...entry.message, globalPosition: String(entry.message.globalPosition) },
    error: { ...entry.error },
    attempts: entry.attempts,
    parkedAt: entry.parkedAt,
  } as unknown as JsonValue;
}

/** A parked entry from its JSON form. */
export function parkedFromJson(json: JsonValue): ParkedMessage {
  const raw = json as unknown as ParkedMessage & {
    message: RecordedMessage & { globalPosition: string };
  };
  return Object.freeze({
    ...raw,
    message: Object.freeze({ ...raw.message, globalPosition: BigInt(raw.message.globalPosition) }),
    error: Object.freeze({ ...raw.error }),
  });
}
