/**
 * Who may call: a request without an accepted credential, and a credential
 * that may not do what it asked. Neither is retryable.
 *
 * @module
 */

import { describeValue, OrdoError } from "./ordo_error.ts";

/**
 * The request carried no accepted credential: none, a wrong one, an expired
 * or tampered signature. Nothing was run.
 *
 * @example
 * ```ts
 * import { UnauthenticatedError } from "./access.ts";
 * const error = new UnauthenticatedError("Bearer", "the token is not accepted");
 * console.log(error.message); // Cannot authenticate the request: the token is not accepted
 * ```
 */
export class UnauthenticatedError extends OrdoError {
  /** Always `"UnauthenticatedError"`. */
  readonly _tag = "UnauthenticatedError" as const;

  /** `scheme` is the authentication the server expects, `reason` why the credential was not accepted. */
  constructor(
    /** The scheme the server expects (`Bearer`, `ORDO-HMAC-SHA256`). */
    readonly scheme: string,
    readonly reason: string,
    options?: { cause?: unknown },
  ) {
    super(`Cannot authenticate the request: ${reason}`, options);
  }
}

/** What a credential asked to do, as a {@link ForbiddenError} names it (`replay`: a parked message, in the console). */
export type ForbiddenAction = "send" | "query" | "subscribe" | "publish" | "replay";

const WHAT: Readonly<Record<ForbiddenAction, string>> = {
  send: "send command",
  query: "ask query",
  subscribe: "follow",
  publish: "publish to stream",
  replay: "replay parked messages of group",
};

// What the credential may not do, and where that is decided: commands and
// queries are allowed unless a list leaves them out; event routes are denied
// unless a list names them, so the message says which option allows them.
const WHY: Readonly<Record<ForbiddenAction, string>> = {
  send: "send it; its allow.commands does not list it",
  query: "ask it; its allow.queries does not list it",
  subscribe: "follow it; event routes are denied unless allowed: list it (a category, " +
    "an event name or service/*) in the server's auth.allow.subscribe, or the credential's own allow.subscribe",
  publish: "publish there; event routes are denied unless allowed: list the stream or its " +
    "category in the server's auth.allow.publish, or the credential's own allow.publish",
  replay: "replay them; replaying needs an operator credential (the console's auth.operator)",
};

/**
 * The credential is valid but not allowed to do this: send this command, ask
 * this query, follow these events, publish to this stream. Nothing was run.
 *
 * @example
 * ```ts
 * import { ForbiddenError } from "./access.ts";
 * const error = new ForbiddenError("send", "orders/cancel", "billing");
 * console.log(error.message); // Cannot send command "orders/cancel": credential "billing" is not allowed to send it; its allow.commands does not list it
 * ```
 */
export class ForbiddenError extends OrdoError {
  /** Always `"ForbiddenError"`. */
  readonly _tag = "ForbiddenError" as const;

  /** `action` and `target` say what was refused, `credential` whose request it was. */
  constructor(
    readonly action: ForbiddenAction,
    /** The command or query name, the category or event name followed, or the stream. */
    readonly target: string,
    /** The credential's name, when it has one. */
    readonly credential: string | undefined,
    options?: { cause?: unknown },
  ) {
    super(
      `Cannot ${WHAT[action]} ${describeValue(target)}: ${
        credential === undefined ? "this credential" : `credential ${describeValue(credential)}`
      } is not allowed to ${WHY[action]}`,
      options,
    );
  }
}
