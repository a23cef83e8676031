/**
 * The little the PostgreSQL store needs from a driver, so that one SQL layer
 * serves both postgres.js (a server) and PGlite (embedded). Each driver file
 * adapts one library to this shape and imports that library's types only.
 *
 * @module
 */

/** A row as the store reads it: every value selected as text or a JS scalar. */
export type Row = Record<string, unknown>;

/** Runs one parameterized statement and returns its rows. */
export type QueryFn = (text: string, params: readonly unknown[]) => Promise<Row[]>;

/** The operations the store runs through a driver. */
export interface PostgresDriver {
  /**
   * Runs `work` in a transaction: committed when it resolves, rolled back when
   * it throws (rethrowing the error). `work` gets the driver's own
   * transaction object, which is what consumer handlers receive to write
   * their read model, and a query function bound to it.
   */
  transaction<T>(work: (native: unknown, query: QueryFn) => Promise<T>): Promise<T>;
  /** Runs one parameterized statement and returns its rows. */
  query(text: string, params: readonly unknown[]): Promise<Row[]>;
  /** Runs a script of several statements without parameters, as one implicit transaction. */
  exec(text: string): Promise<void>;
  /**
   * LISTENs on `channel`. `onNotify` gets each payload; `onListen` runs each
   * time the listening connection is (re)established, so that the store can
   * re-read what it may have missed while it was down.
   */
  listen(
    channel: string,
    onNotify: (payload: string) => void,
    onListen: () => void,
  ): Promise<() => Promise<void>>;
}
