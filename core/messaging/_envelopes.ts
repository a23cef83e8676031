// Commands as the bus hands them to a transport: id and stream key chosen,
// metadata defaulted, and handlers wrapped so their contract validates what
// arrives.

import { isoNow } from "../clock.ts";
import { ValidationError } from "../errors.ts";
import type { MessageMetadata } from "../message.ts";
import { validateId } from "../validate_append.ts";
import type { CommandInput } from "./bus_types.ts";
import { type StandardSchemaV1, validateStandard } from "./standard_schema.ts";
import type { CommandEnvelope, DeliveryContext, ReceivedMessage } from "./transport.ts";

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
