/**
 * The failure a caller gets when the handler it reached said no: a
 * `sendAndWait` whose command handler failed (or whose command was parked),
 * a query whose handler failed. ordo's core has no tag for this yet (the
 * Promise API rejects with the handler's own error: in-process the very
 * object; through the store, NATS or HTTP an ordo error rebuilt as its class,
 * any other as an `Error` with its name and message, or over HTTP a
 * `ServerError`), so the Effect API gives a handler's error that is not one
 * of the call's own tags one tagged shape.
 *
 * @module
 */

/**
 * A remote or local handler failed. `errorName` and the message are the
 * handler's error's; `cause` is the error as the transport relayed it.
 *
 * @example
 * ```ts
 * import { HandlerError } from "./handler_error.ts";
 * const error = new HandlerError('sendAndWait "users/lock"', "UserMissing", 'no user "u-1"');
 * console.log(error.message); // Handler failed during sendAndWait "users/lock": UserMissing: no user "u-1"
 * ```
 */
export class HandlerError extends Error {
  /** For `Effect.catchTag("HandlerError", …)`. */
  readonly _tag = "HandlerError" as const;

  /**
   * `operation` names the call (`sendAndWait "users/lock"`), `errorName` the
   * handler's error class; `detail` is its message, empty for none.
   */
  constructor(
    readonly operation: string,
    readonly errorName: string,
    detail: string,
    options?: { cause?: unknown },
  ) {
    super(
      `Handler failed during ${operation}: ${errorName}${detail === "" ? "" : `: ${detail}`}`,
      options,
    );
    this.name = "HandlerError";
  }

  /** The handler's failure as relayed (an Error, a tagged value, anything thrown), as a `HandlerError`. */
  static from(operation: string, failure: unknown): HandlerError {
    if (failure instanceof Error) {
      return new HandlerError(operation, failure.name, failure.message, { cause: failure });
    }
    const tag = (failure as { _tag?: unknown } | null)?._tag;
    return new HandlerError(
      operation,
      typeof tag === "string" ? tag : "NonError",
      describe(failure),
      { cause: failure },
    );
  }
}

function describe(failure: unknown): string {
  if (typeof failure === "string") return failure;
  try {
    return JSON.stringify(failure) ?? String(failure);
  } catch {
    return String(failure);
  }
}
