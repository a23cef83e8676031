// A handler's answer crosses NATS as one message, and the server refuses one
// over its max_payload: the client throws on publish. For a command that
// throw came after the handler's work was done, so the command was delivered
// again and handled again, for ever; for a query the caller waited for its
// deadline. The answer is measured before it is sent instead, and one too
// large is replaced by a ValidationError saying so, which fits.

import type { NatsConnection } from "@nats-io/nats-core";
import { ValidationError } from "../../core/mod.ts";

// The subject and headers travel with the answer: well under 512 bytes more.
const ENVELOPE = 512;

/** The server's max_payload in bytes (1 MiB, the server's default, before it has said). */
export function maxPayload(connection: NatsConnection): number {
  return connection.info?.max_payload ?? 1024 * 1024;
}

/**
 * The refusal for an answer of `bytes` to `operation` (`query "orders/show"`)
 * that the server would not take, or `undefined` when it fits.
 */
export function oversizedAnswer(
  connection: NatsConnection,
  bytes: Uint8Array,
  operation: string,
): ValidationError | undefined {
  const max = maxPayload(connection);
  if (bytes.length + ENVELOPE <= max) return undefined;
  return new ValidationError(
    "result",
    `${bytes.length} bytes`,
    `the answer to ${operation} exceeds the NATS server's max_payload of ${max} bytes: ` +
      "return less (a reference to the data, such as a stream name or a key), or raise max_payload",
  );
}
