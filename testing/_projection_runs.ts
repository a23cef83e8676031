// How checkProjection runs a projection: folds a delivery order into a fresh
// read model and reads its view, or runs the project's crashing consumer
// over it. One pair for in-memory projections, one for projections that
// write SQL through `tx` on PGlite.

import type { PGliteInterface } from "@electric-sql/pglite";
import type { RecordedMessage } from "../mod.ts";
import { createMemoryConsumerStorage } from "../stores/memory/mod.ts";
import {
  createPGliteConsumerStorage,
  createPGliteStore,
  type PGliteTransaction,
} from "../stores/postgres/mod.ts";
import { type Canonical, canonical } from "./_canonical.ts";
import { throughCrashingConsumer } from "./_crashing_consumer.ts";

/** One way of running the projection under test. */
export interface ProjectionRuns {
  /** The view after applying `messages` in the order given, each as delivered. */
  fold(messages: readonly RecordedMessage[]): Promise<Canonical>;
  /** The view after the project's consumer handled `messages` through crashes and restarts. */
  crashing(messages: readonly RecordedMessage[], roll: () => number): Promise<Canonical>;
}

/** An in-memory read model: `init`, `apply`, `view`. */
export interface MemoryProjection<Model> {
  init(): Model;
  apply(model: Model, message: RecordedMessage): void | Promise<void>;
  view?(model: Model): unknown;
}

/** A read model in SQL tables, written through the consumer's PGlite transaction. */
export interface SqlProjection {
  reset(db: PGliteInterface): Promise<void>;
  apply(tx: PGliteTransaction, message: RecordedMessage): Promise<void>;
  view(db: PGliteInterface): Promise<unknown>;
}

/** Runs of an in-memory projection; under crashes its model is outside any transaction. */
export function memoryRuns<Model>(projection: MemoryProjection<Model>): ProjectionRuns {
  const viewOf = (model: Model) =>
    canonical(projection.view === undefined ? model : projection.view(model));
  return {
    fold: async (messages) => {
      const model = projection.init();
      for (const m of messages) await projection.apply(model, m);
      return viewOf(model);
    },
    crashing: async (messages, roll) => {
      const model = projection.init();
      await throughCrashingConsumer(
        createMemoryConsumerStorage(),
        messages,
        roll,
        (m) => projection.apply(model, m),
      );
      return viewOf(model);
    },
  };
}

/**
 * Runs of a SQL projection on `db`: each delivery in a transaction of its
 * own; under crashes, the consumer's own PGlite storage, so a crash rolls the
 * handler's writes back with the checkpoint. The consumer's tables live in
 * `schema`, made once.
 */
export async function sqlRuns(
  db: PGliteInterface,
  projection: SqlProjection,
  schema: string,
): Promise<ProjectionRuns> {
  await createPGliteStore(db, { schema }).migrate();
  const storage = createPGliteConsumerStorage(db, { schema });
  return {
    fold: async (messages) => {
      await projection.reset(db);
      for (const m of messages) await db.transaction((tx) => projection.apply(tx, m));
      return canonical(await projection.view(db));
    },
    crashing: async (messages, roll) => {
      await projection.reset(db);
      await throughCrashingConsumer(storage, messages, roll, (m, tx) => projection.apply(tx, m));
      return canonical(await projection.view(db));
    },
  };
}
