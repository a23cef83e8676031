// Runs handlers written as Effects where ordo's Promise engines (consumers,
// the bus's transports) call them: with the services of the effect that
// registered them, optionally under a time limit, and with a failure or defect
// thrown as the error itself so retries, parking and error replies see it.
import { Cause, type Context, type Duration, Effect, Exit } from "effect";
import type { TimeoutError, TraceContext } from "../core/mod.ts";
import { withTimeout } from "./retry.ts";
import { underOrdoTrace } from "./_trace_bridge.ts";

/** How an Effect handler is turned into a Promise one. */
export interface BridgeOptions<Args extends readonly unknown[]> {
  /** Longest one call may take; past it the handler is interrupted and the call fails with `TimeoutError`. */
  readonly timeout?: Duration.Input;
  /** Names the call in the `TimeoutError` (`handler of consumer "x" on message "y"`). */
  readonly describe: (...args: Args) => string;
  /** The trace ordo runs the call in (its `context.trace`): the handler's Effect spans go under it. */
  readonly trace?: (...args: Args) => TraceContext | undefined;
}

/**
 * The Promise form of `handler`, run with `context`. It is not interrupted
 * when its caller stops (a stop waits for the call in progress), only by the
 * timeout; a failure (typed or defect) rejects with `Cause.squash` of it.
 */
export function bridgeHandler<Args extends readonly unknown[], A, E, R>(
  handler: (...args: Args) => Effect.Effect<A, E, R>,
  context: Context.Context<R>,
  options: BridgeOptions<Args>,
): (...args: Args) => Promise<A> {
  const runExit = Effect.runPromiseExitWith(context);
  const { timeout, describe, trace } = options;
  return async (...args) => {
    // Start on a later microtask, never inside the caller's synchronous step:
    // running the effect can resume other fibers at once (one that stops this
    // very handler's registration, say), and the engine calling us must have
    // recorded the call as in progress before anything else sees it.
    await undefined;
    let call: Effect.Effect<A, E | TimeoutError, R> = Effect.suspend(() => handler(...args));
    if (timeout !== undefined) call = withTimeout(call, timeout, describe(...args));
    if (trace !== undefined) call = underOrdoTrace(call, trace(...args));
    const exit = await runExit(call);
    if (Exit.isSuccess(exit)) return exit.value;
    throw Cause.squash(exit.cause);
  };
}
