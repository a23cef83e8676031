// How checkProjection runs a projection: folds a delivery order into a fresh
// read model and reads its view, or runs the project's crashing consumer
// over it. One pair for in-memory projections, one for projections that
// write SQL through `tx` on PGlite. A projection with a page handler is given
// its messages in pages; one without gets them one by one.

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
import { settles } from "./_settles.ts";

/** One way of running the projection under test. */
export interface ProjectionRuns {
  /**
   * The view after applying `pages` in the order given, each as delivered: a
   * page of one through `apply` when there is one, any other through `applyPage`.
   */
  fold(pages: readonly (readonly RecordedMessage[])[]): Promise<Canonical>;
  /** The view after the project's consumer handled `messages` through crashes and restarts. */
  crashing(messages: readonly RecordedMessage[], roll: () => number): Promise<Canonical>;
}

/** An in-memory read model: `init`, `apply`, `view`. */
export interface MemoryProjection<Model> {
  init(): Model;
  apply?(model: Model, message: RecordedMessage): void | Promise<void>;
  applyPage?(model: Model, messages: readonly RecordedMessage[]): void | Promise<void>;
  view?(model: Model): unknown;
}

/** A read model in SQL tables, written through the consumer's PGlite transaction. */
export interface SqlProjection {
  reset(db: PGliteInterface): Promise<void>;
  apply?(tx: PGliteTransaction, message: RecordedMessage): Promise<void>;
  applyPage?(tx: PGliteTransaction, messages: readonly RecordedMessage[]): Promise<void>;
  view(db: PGliteInterface): Promise<unknown>;
}

/** Applies a page: a single message through `apply` if there is one, else through `applyPage`. */
function pageApplier<Target>(
  apply: ((target: Target, message: RecordedMessage) => void | Promise<void>) | undefined,
  applyPage:
    | ((target: Target, messages: readonly RecordedMessage[]) => void | Promise<void>)
    | undefined,
): (target: Target, page: readonly RecordedMessage[]) => Promise<void> {
  return async (target, page) => {
    if (apply !== undefined && (page.length === 1 || applyPage === undefined)) {
      for (const m of page) await settles(apply(target, m), () => `apply(${described(m)})`);
    } else {
      await settles(
        applyPage!(target, page),
        () => `applyPage(a page of ${page.length}, from ${described(page[0])})`,
      );
    }
  };
}

function described(m: RecordedMessage): string {
  return `${m.type} of ${m.streamName} at position ${m.globalPosition}`;
}

/** Runs of an in-memory projection; under crashes its model is outside any transaction. */
export function memoryRuns<Model>(projection: MemoryProjection<Model>): ProjectionRuns {
  const viewOf = (model: Model) =>
    canonical(projection.view === undefined ? model : projection.view(model));
  const applyPage = pageApplier(
    projection.apply?.bind(projection),
    projection.applyPage?.bind(projection),
  );
  return {
    fold: async (pages) => {
      const model = projection.init();
      for (const page of pages) await applyPage(model, page);
      return viewOf(model);
    },
    crashing: async (messages, roll) => {
      const model = projection.init();
      await throughCrashingConsumer(
        createMemoryConsumerStorage(),
        messages,
        roll,
        (m) => applyPage(model, [m]),
        projection.applyPage === undefined ? undefined : (page) => applyPage(model, page),
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
  const applyPage = pageApplier(
    projection.apply?.bind(projection),
    projection.applyPage?.bind(projection),
  );
  const reset = () => settles(projection.reset(db), () => "reset(db)");
  const view = () => settles(projection.view(db), () => "view(db)");
  return {
    fold: async (pages) => {
      await reset();
      for (const page of pages) await db.transaction((tx) => applyPage(tx, page));
      return canonical(await view());
    },
    crashing: async (messages, roll) => {
      await reset();
      await throughCrashingConsumer(
        storage,
        messages,
        roll,
        (m, tx) => applyPage(tx, [m]),
        projection.applyPage === undefined ? undefined : (page, tx) => applyPage(tx, page),
      );
      return canonical(await view());
    },
  };
}
