/**
 * fast-check properties for a user's projection: redelivered messages,
 * crashes and restarts at any point, and any interleaving of different
 * streams must all give the read model one clean pass gives. A projection
 * keeps its read model in memory (`init`, `apply`, `view`), or in SQL tables
 * it writes through the consumer's transaction on PGlite (`reset`, `apply`
 * with `tx`, `view`). A projection written as a page handler (`applyPage`)
 * gets its messages in pages whose boundaries are drawn at random too.
 *
 * @module
 */

import type { PGliteInterface } from "@electric-sql/pglite";
import type * as FastCheckModule from "fast-check";
import type {
  JsonMessage,
  JsonValue,
  MessageMetadata,
  MessageShape,
  RecordedMessage,
  RecordedMessageOf,
} from "../mod.ts";
import type { PGliteTransaction } from "../stores/postgres/mod.ts";
import { type Canonical, line } from "./_canonical.ts";
import { inPages, interleaved, record, withRedeliveries } from "./_histories.ts";
import { checkArguments } from "./_options.ts";
import { memoryRuns, type ProjectionRuns, sqlRuns } from "./_projection_runs.ts";
import { type CheckName, failure, ProjectionThrew, ViewMismatch } from "./_report.ts";

/** The parts of fast-check the checks use: pass `fc` from your own `import fc from "fast-check"`. */
export type FastCheck = Pick<
  typeof FastCheckModule,
  "check" | "asyncProperty" | "infiniteStream" | "nat"
>;

/**
 * A projection under test: a read model in memory and the handler that
 * folds messages into it. `E` types the messages, as a store's union does.
 */
export interface ProjectionUnderTest<Model, E extends MessageShape = JsonMessage> {
  /** A fresh, empty read model. */
  init(): Model;
  /**
   * Applies one message. It is called again with messages it has already seen
   * (delivery is at least once). Give this, `applyPage`, or both.
   */
  apply?(model: Model, message: RecordedMessageOf<E>): void | Promise<void>;
  /**
   * Applies a page of messages at once, as a consumer's `pageHandler` does.
   * The checks cut the deliveries into pages at random and compare with the
   * clean pass, one message at a time (through `apply` when given, so both
   * must agree).
   */
  applyPage?(model: Model, messages: readonly RecordedMessageOf<E>[]): void | Promise<void>;
  /** What to compare; default the model itself. Maps, Sets and object keys compare regardless of order. */
  view?(model: Model): unknown;
}

/**
 * A projection whose read model is SQL tables, written through the
 * consumer's transaction (`context.tx`), checked on a PGlite database.
 */
export interface SqlProjectionUnderTest<E extends MessageShape = JsonMessage> {
  /** Creates the read model's tables if they are missing and empties them. Runs before every pass. */
  reset(db: PGliteInterface): Promise<void>;
  /**
   * Applies one message, writing through `tx` only (what the handler does
   * with `context.tx`): a query on `db` would wait for the transaction forever.
   * Give this, `applyPage`, or both.
   */
  apply?(tx: PGliteTransaction, message: RecordedMessageOf<E>): Promise<void>;
  /**
   * Applies a page of messages in one transaction, as a consumer's
   * `pageHandler` does (one statement per page, say); pages are cut at random.
   */
  applyPage?(tx: PGliteTransaction, messages: readonly RecordedMessageOf<E>[]): Promise<void>;
  /** Reads the read model back, in a fixed order (`ORDER BY`); Maps, Sets and object keys compare regardless of order. */
  view(db: PGliteInterface): Promise<unknown>;
}

/** One event of a generated history. */
export interface HistoryEvent<Type extends string = string, Data = JsonValue> {
  /** Stream it is appended to; events of one stream keep their order in every check. */
  readonly streamName: string;
  /** Message type the projection receives (`OrderPlaced`). */
  readonly type: Type;
  /** Message data the projection receives, as a JSON copy. */
  readonly data: Data;
  /** Metadata it is stored with; the store adds `timestamp`. */
  readonly metadata?: MessageMetadata;
}

/** A {@link HistoryEvent} for each member of a union of message shapes. */
export type HistoryEventOf<E extends MessageShape> = E extends MessageShape
  ? HistoryEvent<E["type"], E["data"]>
  : never;

/** Which checks run; each defaults to true. */
export interface ProjectionChecks {
  /** Messages delivered again: immediately, or a run of recent ones after a lost checkpoint. */
  readonly duplicates?: boolean;
  /** The project's consumer crashing between the handler and its checkpoint, failing, and restarting. */
  readonly crashes?: boolean;
  /**
   * Other orders across streams, each stream's own order kept (what partitions
   * of a consumer group do). Leave it out for a projection only ever run by
   * one consumer reading in global order.
   */
  readonly interleavings?: boolean;
}

/** Options of {@link checkProjection} for a read model in memory. */
export interface CheckProjectionOptions<Model, E extends MessageShape = JsonMessage> {
  /** The read model and handler to check. */
  readonly projection: ProjectionUnderTest<Model, E>;
  /** Histories to try, in append order. Keep them small: tens of events. */
  readonly events: FastCheckModule.Arbitrary<readonly HistoryEventOf<E>[]>;
  /** Which checks run; all of them by default. */
  readonly checks?: ProjectionChecks;
  /** fast-check parameters (`numRuns`, `seed` to replay a failure, …). */
  readonly parameters?: FastCheckModule.Parameters<unknown>;
}

/** Options of {@link checkProjection} for a read model in SQL tables on PGlite. */
export interface CheckSqlProjectionOptions<E extends MessageShape = JsonMessage> {
  /** The database the read model's tables live in; the consumer's tables go in `schema`. */
  readonly database: PGliteInterface;
  /** The tables and handler to check. */
  readonly projection: SqlProjectionUnderTest<E>;
  /** Histories to try, in append order. Keep them small: tens of events. */
  readonly events: FastCheckModule.Arbitrary<readonly HistoryEventOf<E>[]>;
  /** Which checks run; all of them by default. */
  readonly checks?: ProjectionChecks;
  /** fast-check parameters (`numRuns`, `seed` to replay a failure, …). */
  readonly parameters?: FastCheckModule.Parameters<unknown>;
  /** Schema of the consumer's checkpoint tables. Default `"ordo_check"`. */
  readonly schema?: string;
}

/**
 * Checks a projection and rejects with an `AssertionError` when a check
 * fails. Its message names the check, the first read-model entry that
 * differs, what to change, the shortest history fast-check found, a diff of
 * the two views, and the seed and path to replay it (`parameters: { seed,
 * path }`); the projection's own error, if it threw, is the `cause`. A call of
 * the projection that has not settled after 10 s fails the check as hung,
 * naming the call and the message. `fc` is passed in so
 * that this module loads from a URL without fast-check installed beside it.
 *
 * With `database` (a PGlite instance) the projection is a SQL one: each pass
 * starts with `reset`, each delivery runs `apply` in a transaction, and the
 * crash check runs the project's consumer with PGlite consumer storage, so a
 * crash rolls the handler's writes back with the checkpoint, as in production.
 *
 * @throws {ValidationError} before anything runs, when `fc` is not fast-check,
 *   on an unknown key in `options` or `options.checks` (a fast-check parameter
 *   at the top level names `parameters`), on a key of `parameters` that is a
 *   fast-check parameter in another case (`numruns`), and on a projection
 *   without `init` (`reset` and `view` for SQL) or without `apply` and
 *   `applyPage`; and at `options.events` when the arbitrary generated an event
 *   the store refuses (a stream name without a dash, say), with the store's
 *   error as `cause`
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { checkProjection, type ProjectionUnderTest } from "./check_projection.ts";
 * type Placed = { type: "Placed"; data: { total: number } };
 * const totals: ProjectionUnderTest<Map<string, number>, Placed> = {
 *   init: () => new Map(),
 *   apply: (model, m) => void model.set(m.streamName, m.data.total),
 * };
 * await checkProjection(fc, {
 *   projection: totals,
 *   events: fc.array(fc.record({ streamName: fc.constantFrom("order-1", "order-2"), type: fc.constant<"Placed">("Placed"), data: fc.record({ total: fc.nat() }) })),
 * });
 * ```
 */
export function checkProjection<Model, E extends MessageShape = JsonMessage>(
  fc: FastCheck,
  options: CheckProjectionOptions<Model, E>,
): Promise<void>;
/** The same checks of a projection that writes SQL through `tx`, on PGlite. */
export function checkProjection<E extends MessageShape = JsonMessage>(
  fc: FastCheck,
  options: CheckSqlProjectionOptions<E>,
): Promise<void>;
export async function checkProjection<Model, E extends MessageShape>(
  fc: FastCheck,
  options: CheckProjectionOptions<Model, E> | CheckSqlProjectionOptions<E>,
): Promise<void> {
  checkArguments(fc, options);
  // The projection's message types are the caller's word: the checks hand it recorded messages.
  const runs: ProjectionRuns = "database" in options
    ? await sqlRuns(
      options.database,
      options.projection as SqlProjectionUnderTest,
      options.schema ?? "ordo_check",
    )
    : memoryRuns(options.projection as ProjectionUnderTest<Model>);
  const { applyPage } = options.projection;
  const { checks = {} } = options;
  // After a hang every later run passes at once: fast-check then keeps the case that hung
  // instead of shrinking it, each try waiting out the deadline again.
  let hung = false;
  const property = fc.asyncProperty(
    options.events,
    fc.infiniteStream(fc.nat(99)),
    async (events, dice) => {
      if (hung) return;
      const messages = await record(events);
      const roll = () => dice.next().value;
      // Pages at random for a page handler; one message at a time otherwise.
      const pages = (delivered: readonly RecordedMessage[]) =>
        applyPage === undefined ? delivered.map((m) => [m]) : inPages(delivered, roll);
      // Each check's view, or the projection's throw, marked with the check it threw under.
      const viewUnder = async (check: CheckName | "clean", view: () => Promise<Canonical>) => {
        try {
          return await view();
        } catch (error) {
          const threw = new ProjectionThrew(check, { cause: error });
          hung ||= threw.hung;
          throw threw;
        }
      };
      const clean = await viewUnder("clean", () => runs.fold(messages.map((m) => [m])));
      const compare = async (check: CheckName, view: () => Promise<Canonical>) => {
        const got = await viewUnder(check, view);
        if (line(got) !== line(clean)) throw new ViewMismatch(check, clean, got);
      };
      if (checks.duplicates !== false) {
        await compare("duplicates", () => runs.fold(pages(withRedeliveries(messages, roll))));
      }
      if (checks.interleavings !== false) {
        await compare("interleavings", () => runs.fold(pages(interleaved(messages, roll))));
      }
      if (applyPage !== undefined) await compare("pages", () => runs.fold(pages(messages)));
      if (checks.crashes !== false) {
        await compare("crashes", () => runs.crashing(messages, roll));
      }
    },
  );
  const details = await fc.check(property, options.parameters);
  if (!details.failed) return;
  throw failure(details, options.events);
}
