// Commands and events as a caller gives them, checked, and commands as the
// bus hands them to a transport: id and stream key chosen, metadata
// defaulted, and handlers wrapped so their contract validates what arrives.

import { isoNow } from "../clock.ts";
import { ValidationError } from "../errors.ts";
import type { MessageMetadata } from "../message.ts";
import { checkKnownKeys } from "../options.ts";
import { checkMetadata, validateId } from "../validate_append.ts";
import type { CommandInput, EventInput } from "./bus_types.ts";
import { type StandardSchemaV1, validateStandard } from "./standard_schema.ts";
import type { CommandEnvelope, DeliveryContext, ReceivedMessage } from "./transport.ts";

const COMMAND_KEYS: readonly string[] = ["type", "data", "id", "key", "metadata"];
const EVENT_KEYS: readonly string[] = ["type", "data", "id", "stream", "key", "metadata"];
const COMMAND_SHAPE = "{ type, data, id?, key?, metadata? }";
const EVENT_SHAPE = "{ type, data, id?, stream?, key?, metadata? }";

/**
 * Checks a command as a sender gives it, as strictly as an options object:
 * an object with only the keys of `CommandInput` (a misspelt one named with
 * the nearest), `data` present (every stored transport and HTTP need it), and
 * `metadata`, when given, a plain object whose named fields have their types.
 * The name, id and a command's key are checked where they are used.
 */
export function checkCommandInput(command: unknown): asserts command is CommandInput {
  if (typeof command === "object" && command !== null && Object.hasOwn(command, "stream")) {
    throw new ValidationError(
      "command.stream",
      (command as { stream?: unknown }).stream,
      "a command has no stream of its own: it is stored in <service>:command-<key>; give key to choose it",
    );
  }
  checkMessageInput(command, "command", COMMAND_KEYS, COMMAND_SHAPE);
}

/**
 * Checks an event as a publisher gives it; see {@link checkCommandInput}. Its
 * `key`, when given, is a non-empty string (it names the event's stream).
 */
export function checkEventInput(event: unknown): asserts event is EventInput {
  checkMessageInput(event, "event", EVENT_KEYS, EVENT_SHAPE);
  const key = (event as { key?: unknown }).key;
  if (key !== undefined && (typeof key !== "string" || key.length === 0)) {
    throw new ValidationError("event.key", key, "must be a non-empty string");
  }
}

function checkMessageInput(
  message: unknown,
  what: string,
  keys: readonly string[],
  shape: string,
): void {
  if (typeof message !== "object" || message === null || Array.isArray(message)) {
    throw new ValidationError(what, message, `expected ${shape}`);
  }
  checkKnownKeys(message, keys, what, "key");
  const { data, metadata } = message as { data?: unknown; metadata?: unknown };
  if (data === undefined) {
    throw new ValidationError(
      `${what}.data`,
      data,
      `is required: expected ${shape} (data may be null or {})`,
    );
  }
  if (metadata !== undefined) checkMetadata(metadata, what);
}

/** The envelope of a command: its id (given, checked, or a random UUID) and stream key. */
export function commandEnvelope(command: CommandInput): CommandEnvelope {
  const id = command.id === undefined ? crypto.randomUUID() : validateId(command.id, "command.id");
  const key = command.key ?? id;
  if (typeof key !== "string" || key.length === 0) {
    throw new ValidationError("command.key", key, "must be a non-empty string");
  }
  return {
    id,
    type: command.type,
    data: command.data,
    key,
    metadata: withDefaults(command.metadata, id),
  };
}

/** Metadata with its timestamp, and the correlation id defaulting to the message's own id. */
export function withDefaults(metadata: MessageMetadata | undefined, id: string): MessageMetadata {
  if (metadata === undefined) return { timestamp: isoNow(), correlationId: id };
  return { timestamp: isoNow(), ...metadata, correlationId: metadata.correlationId ?? id };
}

/** Wraps a handler so that the message's data is validated by its contract first. */
export function withSchema<
  H extends (message: ReceivedMessage, context: DeliveryContext) => unknown,
>(
  schema: StandardSchemaV1 | undefined,
  path: string,
  handler: H,
): H {
  if (schema === undefined) return handler;
  return (async (message: ReceivedMessage, context: DeliveryContext) =>
    await handler(
      { ...message, data: await validateStandard(schema, message.data, path) },
      context,
    )) as H;
}
