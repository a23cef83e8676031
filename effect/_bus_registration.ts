// Registering Effect handlers on the core bus: the handler runs with the
// services of the effect that registered it, the registration lives in the
// current scope (closing it stops the handler after the message in progress),
// and an Effect retry policy becomes the core's.
import { type Context, type Duration, Effect, type Scope } from "effect";
import type { HandlerOptions, Registration } from "../core/messaging/mod.ts";
import type { ValidationError } from "../core/mod.ts";
import { acquireStoppable } from "./_acquire_stoppable.ts";
import { type EffectRetry, toRetryPolicy } from "./schedule_retry.ts";

/** Options of the Effect bus's `handleCommand` and `subscribe`. */
export interface EffectBusHandlerOptions<R = never> {
  /** How a failing handler is retried before its message is parked: a core policy or a `Schedule`. */
  readonly retry?: EffectRetry<R>;
  /**
   * Longest one handler call may take: past it the handler is interrupted and
   * the call fails with ordo's `TimeoutError` (then retried or parked). Default: no limit.
   */
  readonly handlerTimeout?: Duration.Input;
  /** A message was parked after its last attempt. */
  readonly onParked?: HandlerOptions["onParked"];
  /** A handler failure (to be retried or parked) or a transport failure. */
  readonly onError?: HandlerOptions["onError"];
  /** Where this handler's failures are reported. Default: the bus's logger. */
  readonly logger?: HandlerOptions["logger"];
  /**
   * For an event group: its handler's spans join the publisher's trace
   * instead of starting their own linked to it. Default: false.
   */
  readonly continueTrace?: HandlerOptions["continueTrace"];
}

/** A handler registered in a scope. */
export interface BusRegistration {
  /**
   * Succeeds once the handler has caught up with what was already waiting
   * for it; dies with the transport's refusal when it refused the handler for
   * good (over HTTP, a 401, 403 or 404 for the event stream).
   */
  readonly ready: Effect.Effect<void>;
  /** Stops the handler now, after the message in progress; closing the scope does the same. */
  readonly stop: Effect.Effect<void>;
}

/**
 * The core handler options for `options`, a Schedule stepped with `context`.
 * The other keys go to the core as given (`logger`, `continueTrace`), so a
 * misspelt one is refused there by name instead of dropped here.
 */
export function coreHandlerOptions<R>(
  options: EffectBusHandlerOptions<R> | undefined,
  context: Context.Context<R>,
): HandlerOptions {
  if (options === undefined) return {};
  if (typeof options !== "object" || options === null) return options as never;
  const { retry, handlerTimeout: _bridged, ...rest } = options;
  const policy = toRetryPolicy(retry, context);
  return policy === undefined ? rest : { ...rest, retry: policy };
}

/**
 * Registers with `start` (given the current services) in the current scope;
 * a name or option the bus refuses fails with `ValidationError`.
 */
export function registerScoped<R>(
  start: (context: Context.Context<R>) => Registration,
): Effect.Effect<BusRegistration, ValidationError, Scope.Scope | R> {
  return Effect.flatMap(
    Effect.context<R>(),
    (context) =>
      Effect.map(acquireStoppable(() => stopOnce(start(context))), (registration) => ({
        ready: Effect.promise(() => registration.ready),
        stop: Effect.promise(() => registration.stop()),
      })),
  );
}

/** The registration with a `stop` that runs once, however often it is called (by the user, then by the scope). */
function stopOnce(registration: Registration): Registration {
  let stopped: Promise<void> | undefined;
  return { ready: registration.ready, stop: () => (stopped ??= registration.stop()) };
}
