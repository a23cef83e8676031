/**
 * The bus's transports as Effects, for `makeBus` / `busLayer`: in-process
 * (one process, nothing stored), and store-backed over the {@link EventStore}
 * and {@link ConsumerStorage} services, so a bus layer is built on whichever
 * store layer (memory, PostgreSQL, PGlite) is provided. The bus closes its
 * transport when it closes.
 *
 * @module
 */

import { Effect } from "effect";
import type { Transport } from "../core/messaging/mod.ts";
import type { ValidationError } from "../core/mod.ts";
import {
  createInProcessTransport,
  type CreateInProcessTransportOptions,
} from "../transports/in_process.ts";
import {
  createStoreBackedTransport,
  type CreateStoreBackedTransportOptions,
} from "../transports/store_backed.ts";
import { fromOrdoSync } from "./_from_promise.ts";
import { ConsumerStorage } from "./consumer_storage.ts";
import { EventStore } from "./event_store.ts";
import { type EffectRetry, toRetryPolicy } from "./schedule_retry.ts";

/**
 * An in-process transport: commands, queries and events between handlers of
 * this process, nothing stored.
 *
 * @example
 * ```ts
 * import { busLayer, inProcessTransport } from "./mod.ts";
 * const layer = busLayer({ transport: inProcessTransport() });
 * ```
 */
export function inProcessTransport(
  options?: CreateInProcessTransportOptions,
): Effect.Effect<Transport, ValidationError> {
  return fromOrdoSync<Transport, ValidationError>(
    ["ValidationError"],
    () => createInProcessTransport(options),
  );
}

/** Options of {@link storeBackedTransport}: the core options, less the storage (a service), with an Effect retry policy. */
export interface StoreBackedTransportOptions<R = never>
  extends Omit<CreateStoreBackedTransportOptions<unknown>, "storage" | "retry"> {
  /** Default retry policy of handlers: a core policy or a `Schedule`; a handler's own `retry` overrides it. */
  readonly retry?: EffectRetry<R>;
}

/**
 * A store-backed transport over the {@link EventStore} and
 * {@link ConsumerStorage} services: commands, replies and events travel
 * through the store; each subscriber group is a consumer at its own checkpoint.
 *
 * @example
 * ```ts
 * import { Layer } from "effect";
 * import { busLayer, memoryLayer, storeBackedTransport } from "./mod.ts";
 * const layer = busLayer({ transport: storeBackedTransport() }).pipe(Layer.provide(memoryLayer()));
 * ```
 */
export function storeBackedTransport<R = never>(
  options: StoreBackedTransportOptions<R> = {},
): Effect.Effect<Transport, ValidationError, EventStore | ConsumerStorage | R> {
  return Effect.gen(function* () {
    const store = yield* EventStore;
    const storage = yield* ConsumerStorage;
    const context = yield* Effect.context<R>();
    const { retry, ...rest } = options;
    return yield* fromOrdoSync<Transport, ValidationError>(
      ["ValidationError"],
      () =>
        createStoreBackedTransport(store.port, {
          ...rest,
          storage,
          retry: toRetryPolicy(retry, context),
        }),
    );
  });
}
