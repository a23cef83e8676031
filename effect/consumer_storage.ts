/**
 * The consumer storage as an Effect service: where consumers started with
 * `startConsumer` / `runConsumer` keep checkpoints, parked messages,
 * processed records and leases. The store layers provide it beside the store.
 *
 * @module
 */

import { Context } from "effect";
import type { ConsumerStorage as ConsumerStoragePort } from "../core/mod.ts";

/**
 * The consumer storage service key. `memoryLayer`, `postgresLayer` and
 * `pgliteLayer` provide it; provide your own with
 * `Layer.succeed(ConsumerStorage, storage)`. Its transaction type is not
 * tracked: handlers state it (`runConsumer<PostgresJsTransaction>(...)`).
 *
 * @example
 * ```ts
 * import { Layer } from "effect";
 * import { createMemoryConsumerStorage } from "../mod.ts";
 * import { ConsumerStorage } from "./mod.ts";
 * const layer = Layer.succeed(ConsumerStorage, createMemoryConsumerStorage());
 * ```
 */
export class ConsumerStorage
  extends Context.Service<ConsumerStorage, ConsumerStoragePort<unknown>>()(
    "ordo/ConsumerStorage",
  ) {}
