// What the server answered, read back: a receipt of `send` or `publish`, or
// an error. An ordo error body becomes its class again; anything else is
// judged by its status, so a proxy's 502 is a StoreUnavailableError the bus
// retries, and a 4xx that is not ordo's is a ValidationError at `request`.

import { StoreUnavailableError, ValidationError } from "../../../core/mod.ts";
import type { PublishReceipt, SendReceipt } from "../../../core/messaging/mod.ts";
import { bigintField, errorFromBody } from "../wire/mod.ts";

/** The error a response that is not 2xx stands for. */
export async function errorFromResponse(response: Response, operation: string): Promise<Error> {
  const status = response.status;
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const tagged = typeof body === "object" && body !== null &&
    typeof (body as { _tag?: unknown })._tag === "string";
  // A handler's own error ({ name, message }) is trusted from a 500 only: a proxy's 502 body is not the handler's.
  const rebuilt = tagged || status === 500 ? errorFromBody(body) : undefined;
  if (rebuilt !== undefined) return rebuilt;
  const detail = text === "" ? "" : `: ${text.slice(0, 120)}`;
  if (status >= 500) {
    return new StoreUnavailableError(operation, `the server answered HTTP ${status}${detail}`);
  }
  return new ValidationError("request", operation, `refused with HTTP ${status}${detail}`);
}

function receiptBase(body: unknown, operation: string): Record<string, unknown> {
  const b = body as Record<string, unknown> | null;
  if (
    typeof b !== "object" || b === null || typeof b.id !== "string" ||
    typeof b.deduplicated !== "boolean"
  ) {
    throw new StoreUnavailableError(operation, "the server's answer is not a receipt");
  }
  return b;
}

/** The receipt of `POST /commands/{name}`. @throws {StoreUnavailableError} when the answer is not one */
export function sendReceipt(body: unknown, operation: string): SendReceipt {
  const b = receiptBase(body, operation);
  const receipt: { -readonly [K in keyof SendReceipt]: SendReceipt[K] } = {
    id: b.id as string,
    deduplicated: b.deduplicated as boolean,
  };
  if (typeof b.streamName === "string") receipt.streamName = b.streamName;
  const position = bigintField(b.globalPosition, "receipt.globalPosition");
  if (position !== undefined) receipt.globalPosition = position;
  return receipt;
}

/** The receipt of `POST /events`. @throws {StoreUnavailableError} when the answer is not one */
export function publishReceipt(body: unknown, operation: string): PublishReceipt {
  const b = receiptBase(body, operation);
  if (typeof b.streamName !== "string") {
    throw new StoreUnavailableError(operation, "the server's answer is not a receipt");
  }
  const position = bigintField(b.globalPosition, "receipt.globalPosition");
  return position === undefined
    ? { id: b.id as string, streamName: b.streamName, deduplicated: b.deduplicated as boolean }
    : {
      id: b.id as string,
      streamName: b.streamName,
      deduplicated: b.deduplicated as boolean,
      globalPosition: position,
    };
}
