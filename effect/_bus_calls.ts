// The bus's client calls as Effects: ordo errors with an expected tag go to
// the error channel, and for calls that reach a handler (sendAndWait, query)
// anything else is that handler's failure. Interrupting the fiber stops the
// wait at once, and its AbortSignal, handed to every call, aborts the Promise
// call too (an HTTP request is cancelled, a NATS request given up): a call
// left running kept the bus's close(), and so the scope's, waiting up to its
// deadline. Effect makes an AbortController per call for that, which costs an
// in-process query two thirds of its rate: over the in-process transport,
// where no call looks at the signal, only sendAndWait gets it (bus.ts, wrap).
import { Duration, Effect } from "effect";
import type { OrdoError, OrdoErrorTag, TraceContext } from "../core/mod.ts";
import { fromOrdo, fromPromise, isTagged } from "./_from_promise.ts";
import { HandlerError } from "./handler_error.ts";

/** Options of the Effect bus's client calls. */
export interface EffectCallOptions {
  /** The whole call's time limit, retries included. Default: the bus's `timeouts`. */
  readonly timeout?: Duration.Input;
  /**
   * The trace this call is part of. Default: the span the effect runs in
   * (`Effect.withSpan`, or ordo's own span inside an Effect handler), if any.
   */
  readonly trace?: TraceContext;
}

/**
 * The core call options for `options`, with `signal` when the call is
 * abortable and `trace` when there is one to carry. Other keys are passed on
 * as given, for the bus to refuse by name (a misspelt `timeot` fails the call
 * with a ValidationError, as it does in the Promise API, instead of being dropped).
 */
export function callOptions(
  options: EffectCallOptions | undefined,
  signal?: AbortSignal,
  trace?: TraceContext,
): { timeout?: number; signal?: AbortSignal; trace?: TraceContext } {
  if (options === undefined && signal === undefined && trace === undefined) return {};
  if (options !== undefined && (typeof options !== "object" || options === null)) {
    return options as never;
  }
  const { timeout, trace: _given, ...rest } = options ?? {};
  return {
    ...rest,
    ...(timeout === undefined ? {} : { timeout: Duration.toMillis(timeout) }),
    ...(signal === undefined ? {} : { signal }),
    ...(trace === undefined ? {} : { trace }),
  };
}

/**
 * How a Promise call is made: `run` gets the fiber's AbortSignal only if it
 * declares a parameter (every bus call does, but over the in-process transport
 * only `sendAndWait`); see {@link fromPromise}.
 */
export type CallRun<A> = (signal: AbortSignal) => Promise<A>;

/** A call that reaches no handler: failures outside `tags` are defects. */
export function busCall<A, E extends OrdoError>(
  tags: readonly OrdoErrorTag[],
  run: CallRun<A>,
): Effect.Effect<A, E> {
  return fromOrdo(tags as readonly E["_tag"][], run);
}

/**
 * A call answered by a handler: failures outside `tags` are the handler's, as
 * a {@link HandlerError} naming the call (`query "users/get"`, built only then).
 */
export function handlerCall<A, E extends OrdoError>(
  tags: readonly OrdoErrorTag[],
  kind: string,
  name: string | undefined,
  run: CallRun<A>,
): Effect.Effect<A, E | HandlerError> {
  return fromPromise(
    run,
    (error) =>
      Effect.fail(
        isTagged(error, tags) ? error as E : HandlerError.from(`${kind} "${name}"`, error),
      ),
  );
}
