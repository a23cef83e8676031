// What the server answered, read back: a receipt of `send` or `publish`, or
// an error. An ordo error body becomes its class again; any other answer is
// judged by its status (wire/error_mapping.ts), so a proxy's 502 is a
// PeerUnreachableError the bus retries and a 401 without a body is still an
// UnauthenticatedError.

import { PeerUnreachableError } from "../../../core/mod.ts";
import {
  asHandlerAnswer,
  type PublishReceipt,
  type SendReceipt,
} from "../../../core/messaging/mod.ts";
import { type AnsweredCall, bigintField, errorFromBody, errorFromStatus } from "../wire/mod.ts";

/** The error a response that is not 2xx stands for. */
export async function errorFromResponse(response: Response, call: AnsweredCall): Promise<Error> {
  const text = await response.text().catch(() => "");
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const ordo = errorFromBody(body);
  if (ordo !== undefined) {
    // The server's handler threw it (its body says so): an answer, not a failure to retry.
    if ((body as { answered?: unknown }).answered === true) return asHandlerAnswer(ordo);
    // The server (its handler or the transport behind it) is closed: it is shutting down. A
    // ClosedError here would read as this client's own transport closed, and is not retried.
    if (ordo._tag === "ClosedError") return shuttingDown(call, ordo);
    return ordo;
  }
  return errorFromStatus(
    response.status,
    call,
    text.slice(0, 120),
    response.headers.get("www-authenticate"),
  );
}

function shuttingDown(call: AnsweredCall, closed: Error): PeerUnreachableError {
  let server = call.url;
  try {
    server = new URL(call.url).origin;
  } catch { /* the call's URL as is */ }
  return new PeerUnreachableError(
    call.operation,
    call.url,
    `the server at ${server} is shutting down`,
    { cause: closed },
  );
}

function receiptBase(body: unknown, call: AnsweredCall): Record<string, unknown> {
  const b = body as Record<string, unknown> | null;
  if (
    typeof b !== "object" || b === null || typeof b.id !== "string" ||
    typeof b.deduplicated !== "boolean"
  ) {
    throw notAReceipt(call);
  }
  return b;
}

function notAReceipt(call: AnsweredCall): PeerUnreachableError {
  return new PeerUnreachableError(
    call.operation,
    call.url,
    "the server's answer is not a receipt (is it an ordo server?)",
  );
}

/** The receipt of `POST /commands/{name}`. @throws {PeerUnreachableError} when the answer is not one */
export function sendReceipt(body: unknown, call: AnsweredCall): SendReceipt {
  const b = receiptBase(body, call);
  const receipt: { -readonly [K in keyof SendReceipt]: SendReceipt[K] } = {
    id: b.id as string,
    deduplicated: b.deduplicated as boolean,
  };
  if (typeof b.streamName === "string") receipt.streamName = b.streamName;
  const position = bigintField(b.globalPosition, "receipt.globalPosition");
  if (position !== undefined) receipt.globalPosition = position;
  return receipt;
}

/** The receipt of `POST /events`. @throws {PeerUnreachableError} when the answer is not one */
export function publishReceipt(body: unknown, call: AnsweredCall): PublishReceipt {
  const b = receiptBase(body, call);
  if (typeof b.streamName !== "string") throw notAReceipt(call);
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
