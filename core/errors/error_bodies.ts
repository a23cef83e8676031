/**
 * ordo's errors as JSON bodies and back, for every transport that carries a
 * handler's error to a caller in another place (HTTP answers, the
 * store-backed transport's replies, NATS outcomes). The sending side writes an
 * error as its tag, name, message and the fields its class declares; the
 * receiving side reads that body back into the same class with the same
 * fields and the exact message, so `instanceof`, `_tag` and the fields
 * survive the trip. Only tagged bodies are trusted: HTTP judges anything else
 * by its status (transports/http/wire/error_mapping.ts).
 *
 * @module
 */

import { type OrdoError, type OrdoErrorTag } from "./ordo_error.ts";
import { ForbiddenError, UnauthenticatedError } from "./access.ts";
import { CircuitOpenError, PeerUnreachableError, ServerError, TimeoutError } from "./calls.ts";
import { ClosedError, UnsupportedRuntimeError } from "./lifecycle.ts";
import { IdempotencyConflictError, NotFoundError, ValidationError } from "./refusals.ts";
import { ordoTagOf } from "./retryable.ts";
import {
  ConcurrencyError,
  DuplicateMessageError,
  type ExpectedVersionDescription,
  NotMigratedError,
  StoreUnavailableError,
} from "./store.ts";

/** An ordo error as it travels: its tag, class name, message and fields. */
export interface ErrorBody {
  /** The error's tag: the client rebuilds the same class from it. */
  readonly _tag: OrdoErrorTag;
  /** The error class's name (`ConcurrencyError`). */
  readonly name: string;
  /** The message exactly as the server's error had it. */
  readonly message: string;
  /** The fields the error's class declares (`streamName`, `timeoutMs`, …). */
  readonly [field: string]: unknown;
}

type Body = Readonly<Record<string, unknown>>;
type AnyOrdoError =
  | ValidationError
  | UnauthenticatedError
  | ForbiddenError
  | NotFoundError
  | ConcurrencyError
  | DuplicateMessageError
  | IdempotencyConflictError
  | ServerError
  | UnsupportedRuntimeError
  | PeerUnreachableError
  | StoreUnavailableError
  | CircuitOpenError
  | ClosedError
  | NotMigratedError
  | TimeoutError;

/** How one tag's fields are written and read back. */
interface Codec<E> {
  fields(error: E): Record<string, unknown>;
  read(body: Body): E;
}

// Absent fields travel as null, so a body always has every field of its tag.
const CODECS: { readonly [T in OrdoErrorTag]: Codec<Extract<AnyOrdoError, { _tag: T }>> } = {
  ValidationError: {
    // A refused value is sent only when short and scalar: a refused payload is never echoed back whole.
    fields: (e) => ({
      path: e.path,
      reason: e.reason,
      ...(isShortScalar(e.value) ? { value: e.value } : {}),
    }),
    read: (b) => new ValidationError(text(b.path), b.value, text(b.reason)),
  },
  UnauthenticatedError: {
    fields: (e) => ({ scheme: e.scheme, reason: e.reason }),
    read: (b) => new UnauthenticatedError(text(b.scheme), text(b.reason)),
  },
  ForbiddenError: {
    fields: (e) => ({ action: e.action, target: e.target, credential: e.credential ?? null }),
    read: (b) =>
      new ForbiddenError(
        b.action as ForbiddenError["action"],
        text(b.target),
        optionalText(b.credential),
      ),
  },
  NotFoundError: {
    fields: (e) => ({ kind: e.kind, target: e.target }),
    read: (b) => new NotFoundError(b.kind as NotFoundError["kind"], text(b.target), ""),
  },
  ConcurrencyError: {
    fields: (e) => ({
      streamName: e.streamName,
      expectedVersion: e.expectedVersion,
      actualVersion: e.actualVersion ?? null,
    }),
    read: (b) =>
      new ConcurrencyError(
        text(b.streamName),
        b.expectedVersion as ExpectedVersionDescription,
        optionalNumber(b.actualVersion),
      ),
  },
  DuplicateMessageError: {
    fields: (e) => ({
      streamName: e.streamName,
      messageId: e.messageId,
      storedStreamName: e.storedStreamName,
      storedVersion: e.storedVersion,
    }),
    read: (b) =>
      new DuplicateMessageError(
        text(b.streamName),
        text(b.messageId),
        text(b.storedStreamName),
        Number(b.storedVersion),
      ),
  },
  IdempotencyConflictError: {
    fields: (e) => ({ messageId: e.messageId, messageType: e.messageType }),
    read: (b) => new IdempotencyConflictError(text(b.messageId), text(b.messageType)),
  },
  ServerError: {
    fields: (e) => ({ operation: e.operation, errorId: e.errorId ?? null }),
    read: (b) => new ServerError(text(b.operation), optionalText(b.errorId)),
  },
  UnsupportedRuntimeError: {
    fields: (e) => ({ runtime: e.runtime, feature: e.feature }),
    read: (b) => new UnsupportedRuntimeError(text(b.runtime), text(b.feature), ""),
  },
  PeerUnreachableError: {
    fields: (e) => ({ operation: e.operation, peer: e.peer }),
    read: (b) => new PeerUnreachableError(text(b.operation), text(b.peer), ""),
  },
  StoreUnavailableError: {
    fields: (e) => ({ operation: e.operation }),
    read: (b) => new StoreUnavailableError(text(b.operation), ""),
  },
  CircuitOpenError: {
    fields: (e) => ({ operation: e.operation, retryAfter: e.retryAfter, guards: e.guards ?? null }),
    read: (b) =>
      new CircuitOpenError(text(b.operation), Number(b.retryAfter), {
        guards: optionalText(b.guards),
      }),
  },
  ClosedError: {
    fields: (e) => ({ component: e.component, operation: e.operation }),
    read: (b) => new ClosedError(text(b.component), text(b.operation)),
  },
  NotMigratedError: {
    fields: (e) => ({
      schema: e.schema,
      foundVersion: e.foundVersion ?? null,
      requiredVersion: e.requiredVersion ?? null,
    }),
    read: (b) =>
      new NotMigratedError(text(b.schema), "", {
        foundVersion: optionalNumber(b.foundVersion),
        requiredVersion: optionalNumber(b.requiredVersion),
      }),
  },
  TimeoutError: {
    fields: (e) => ({ operation: e.operation, timeoutMs: e.timeoutMs }),
    read: (b) => new TimeoutError(text(b.operation), Number(b.timeoutMs)),
  },
};

/**
 * The JSON body of an ordo error: tag, name, message and the fields its class
 * declares (a `ValidationError`'s `value` only when it is a short string, a
 * number, a boolean or null). `undefined` for an error that is not ordo's:
 * the server never sends such an error, it answers a `ServerError` instead.
 *
 * @example
 * ```ts
 * import { TimeoutError } from "./mod.ts";
 * import { errorBody } from "./error_bodies.ts";
 * errorBody(new TimeoutError("query", 50)); // { _tag: "TimeoutError", name: "TimeoutError", message: "Timed out after 50 ms: query", operation: "query", timeoutMs: 50 }
 * ```
 */
export function errorBody(error: unknown): ErrorBody | undefined {
  const tag = ordoTagOf(error);
  if (tag === undefined) return undefined;
  const e = error as OrdoError;
  const codec = CODECS[tag] as Codec<OrdoError>;
  return { _tag: tag, name: e.name, message: e.message, ...codec.fields(e) };
}

/**
 * Rebuilds an error from its body: the ordo class named by `_tag`, with its
 * fields and the server's exact message. `undefined` when the body is not an
 * ordo error body.
 *
 * @example
 * ```ts
 * import { ConcurrencyError } from "./mod.ts";
 * import { errorBody, errorFromBody } from "./error_bodies.ts";
 * const back = errorFromBody(JSON.parse(JSON.stringify(errorBody(new ConcurrencyError("order-1", 3, 5)))));
 * back instanceof ConcurrencyError; // true
 * ```
 */
export function errorFromBody(body: unknown): OrdoError | undefined {
  if (typeof body !== "object" || body === null) return undefined;
  const b = body as Body;
  const tag = b._tag;
  if (typeof b.message !== "string" || typeof tag !== "string" || !Object.hasOwn(CODECS, tag)) {
    return undefined;
  }
  const rebuilt = (CODECS[tag as OrdoErrorTag] as Codec<OrdoError>).read(b);
  rebuilt.message = b.message;
  return rebuilt;
}

function isShortScalar(value: unknown): boolean {
  return value === null || typeof value === "boolean" ||
    (typeof value === "number" && Number.isFinite(value)) ||
    (typeof value === "string" && value.length <= 200);
}

function text(value: unknown): string {
  return typeof value === "string" ? value : String(value);
}

function optionalText(value: unknown): string | undefined {
  return typeof value === "string" ? value : undefined;
}

function optionalNumber(value: unknown): number | undefined {
  return typeof value === "number" ? value : undefined;
}
