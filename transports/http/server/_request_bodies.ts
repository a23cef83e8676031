// The request bodies the handler accepts: JSON (whatever the Content-Type
// says), checked field by field into the transport's envelopes. Each body is
// the envelope the bus would hand its transport, minus the name when the path
// carries it. A key the body should not have, or one it lacks, is refused by
// name: a query's input sent without its `payload` wrapper never reaches the
// handler as `undefined`. Every refusal is a ValidationError whose path starts
// at `body`.

import {
  type MessageMetadata,
  parseStreamName,
  validateId,
  ValidationError,
} from "../../../core/mod.ts";
import {
  type CommandEnvelope,
  type EventEnvelope,
  eventStream,
  type QueryEnvelope,
  serviceOf,
} from "../../../core/messaging/mod.ts";

const decoder = new TextDecoder();

/** Parses a JSON request body; `undefined` for an empty one. @throws {ValidationError} at path `body` */
export function parseJsonBody(bytes: Uint8Array): unknown {
  if (bytes.byteLength === 0) return undefined;
  const text = decoder.decode(bytes);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ValidationError("body", text, `is not JSON: ${(error as Error).message}`);
  }
}

/** `{ id, data, key?, metadata? }` for `POST /commands/{name}`. */
export function commandFromBody(name: string, body: unknown): CommandEnvelope {
  const b = objectBody(body, COMMAND);
  const id = validateId(b.id, "body.id");
  const key = b.key === undefined ? id : b.key;
  if (typeof key !== "string" || key.length === 0) {
    throw new ValidationError("body.key", key, "must be a non-empty string");
  }
  return { id, type: name, data: b.data, key, metadata: metadataOf(b.metadata, id) };
}

/** `{ payload? }` (or no body at all) for `POST /queries/{name}`. */
export function queryFromBody(name: string, body: unknown): QueryEnvelope {
  if (body === undefined) return { name, payload: undefined };
  return { name, payload: objectBody(body, QUERY).payload };
}

/** `{ id, type, data, streamName?, metadata? }` for `POST /events`; the stream defaults as the bus's does. */
export function eventFromBody(body: unknown): EventEnvelope {
  const b = objectBody(body, EVENT);
  const id = validateId(b.id, "body.id");
  serviceOf(b.type, "body.type");
  const type = b.type as string;
  let streamName: string;
  if (b.streamName === undefined) {
    streamName = eventStream(type, { key: id });
  } else {
    parseStreamName(b.streamName, "body.streamName");
    streamName = b.streamName as string;
  }
  return { id, type, data: b.data, streamName, metadata: metadataOf(b.metadata, id) };
}

/** A body's keys: which it must have, which it may have, and how it reads. */
interface BodyShape {
  readonly what: string;
  readonly required: readonly string[];
  readonly optional: readonly string[];
  readonly text: string;
  /** Said when a key is unknown: where its value belongs. */
  readonly hint: string;
}

const COMMAND: BodyShape = {
  what: "a command body",
  required: ["id", "data"],
  optional: ["key", "metadata"],
  text: "{ id, data, key?, metadata? }",
  hint: "the command's own fields go in data",
};
const QUERY: BodyShape = {
  what: "a query body",
  required: [],
  optional: ["payload"],
  text: "{ payload? }",
  hint: 'the query\'s input goes in payload: { "payload": { … } }',
};
const EVENT: BodyShape = {
  what: "an event body",
  required: ["id", "type", "data"],
  optional: ["streamName", "metadata"],
  text: "{ id, type, data, streamName?, metadata? }",
  hint: "the event's own fields go in data",
};

function objectBody(body: unknown, shape: BodyShape): Record<string, unknown> {
  if (body === undefined) {
    throw new ValidationError("body", body, `is required: expected ${shape.text}`);
  }
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    throw new ValidationError("body", body, `expected an object ${shape.text}`);
  }
  const b = body as Record<string, unknown>;
  const unknown = Object.keys(b).filter((key) =>
    !shape.required.includes(key) && !shape.optional.includes(key)
  );
  if (unknown.length > 0) {
    throw new ValidationError(
      `body.${unknown[0]}`,
      b[unknown[0]],
      `${listOf(unknown)} ${
        unknown.length === 1 ? "is not a key" : "are not keys"
      } of ${shape.what}: expected ${shape.text}; ${shape.hint}`,
    );
  }
  const missing = shape.required.filter((key) => b[key] === undefined);
  if (missing.length > 0) {
    throw new ValidationError(
      `body.${missing[0]}`,
      undefined,
      `${listOf(missing)} ${missing.length === 1 ? "is" : "are"} required: expected ${shape.text}${
        missing.includes("data") ? " (data may be null)" : ""
      }`,
    );
  }
  return b;
}

function listOf(keys: readonly string[]): string {
  const quoted = keys.map((key) => JSON.stringify(key));
  return quoted.length === 1
    ? quoted[0]
    : `${quoted.slice(0, -1).join(", ")} and ${quoted[quoted.length - 1]}`;
}

const STRING_FIELDS = ["correlationId", "causationId", "timestamp"] as const;

// The defaults the bus gives metadata, so a caller that is not an ordo bus
// (curl, another language) gets the same stored metadata.
function metadataOf(metadata: unknown, id: string): MessageMetadata {
  if (metadata === undefined) return { timestamp: new Date().toISOString(), correlationId: id };
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata)) {
    throw new ValidationError("body.metadata", metadata, "expected an object");
  }
  const m = metadata as Record<string, unknown>;
  for (const field of STRING_FIELDS) {
    if (m[field] !== undefined && typeof m[field] !== "string") {
      throw new ValidationError(`body.metadata.${field}`, m[field], "must be a string");
    }
  }
  if (
    m.schemaVersion !== undefined &&
    (!Number.isInteger(m.schemaVersion) || (m.schemaVersion as number) < 1)
  ) {
    throw new ValidationError(
      "body.metadata.schemaVersion",
      m.schemaVersion,
      "must be a positive integer",
    );
  }
  return {
    timestamp: new Date().toISOString(),
    ...m,
    correlationId: (m.correlationId as string | undefined) ?? id,
  } as MessageMetadata;
}
