/**
 * The readable head as one PostgreSQL store knows it: the highest head it has
 * seen, how it learns a newer one (a query, a NOTIFY that carries one, a poll),
 * the readers waiting for it, and the NOTIFY rounds that tell every listening
 * store after this one's appends. Why a head below which nothing can still
 * appear is safe to read up to: docs/decisions/postgres-global-order.md.
 *
 * @module
 */

import { Outage, PositionWaiters, type WaitOptions } from "../../core/mod.ts";
import { CoalescedRounds } from "./coalesced_rounds.ts";
import { headInPayload, notifyChannel } from "./notify_payload.ts";
import type { StoreSql } from "./_store_sql.ts";

/** One store's readable head, its waiting readers, and its NOTIFY rounds. */
export class HeadWatch {
  readonly #sql: StoreSql;
  readonly #pollInterval: number;
  readonly #waiters = new PositionWaiters();
  // The highest readable head seen (from a query or a NOTIFY). Below it every
  // position is final, for good, so global reads may stop there without asking again.
  #known = 0n;
  #listening: Promise<() => Promise<void>> | undefined;
  #pollTimer: ReturnType<typeof setTimeout> | undefined;
  // waitForAppend calls reading the head before they join the waiters.
  #arming = 0;
  // Whether the last poll or LISTEN failed: logged once when it starts failing,
  // once when it recovers (with how long it was down).
  readonly #pollOutage = new Outage();
  readonly #listenOutage = new Outage();
  // After appends commit, one NOTIFY at a time tells every listening store the
  // readable head, computed once in the NOTIFY's own statement (about 0.2 ms
  // of server time, reading the lock table). A woken reader then needs no
  // head query of its own: one head per round for all listeners, not one per
  // listening store, and one round trip less between a commit and a reader.
  // Its transaction commits without waiting for the WAL flush (a NOTIFY gets
  // a transaction id, so its commit would otherwise cost a flush of its own):
  // it writes nothing, and a wake-up lost in a crash is made good by the
  // re-read every listener does when it reconnects.
  readonly #notifications = new CoalescedRounds(async () => {
    await this.#sql.driver.query(this.#sql.statements.notify, []);
  });
  // A NOTIFY heard, or a poll: one head query at a time for all of them, then the waiters.
  readonly #headChecks = new CoalescedRounds(async () => {
    this.#waiters.notify(await this.query());
  });

  /** `pollInterval`: milliseconds between head checks while readers wait. */
  constructor(sql: StoreSql, pollInterval: number) {
    this.#sql = sql;
    this.#pollInterval = pollInterval;
  }

  /** The highest readable head seen so far. */
  get known(): bigint {
    return this.#known;
  }

  /** Asks the server for the readable head: the last message below which no ordo writer is in flight. */
  async query(): Promise<bigint> {
    this.#sql.ensureOpen("headPosition");
    const [row] = await this.#sql.query("headPosition", this.#sql.statements.head, []);
    return this.learn(BigInt(row.head as string));
  }

  /**
   * The head, for a caller of `headPosition()`, and LISTEN started if it was
   * not. A consumer near the tail asks for the head before its last page,
   * then reports `caughtUp`, then waits: started here, LISTEN's connection
   * has a page read's round trip to come up before anyone hears "caught up".
   * Started at the wait, it would still be connecting then, and postgres.js's
   * `sql.end()` leaves a LISTEN socket that is still connecting open until
   * its `connect_timeout` (30 s), keeping the process alive: what a caller
   * who ends the pool right after `caughtUp`, before stopping the consumer,
   * would hit. After the query, so that a pool already ended (the query
   * fails) gets no LISTEN connection of its own.
   */
  async read(): Promise<bigint> {
    const head = await this.query();
    if (!this.#sql.closed) this.#listen();
    return head;
  }

  /** Records a head; heads only move forward, so an older answer that arrives late changes nothing. */
  learn(head: bigint): bigint {
    if (head > this.#known) this.#known = head;
    return this.#known;
  }

  /**
   * After an append, committed or rolled back: readers may now read further
   * (a rolled-back append may have held them below another writer's
   * messages), so a NOTIFY round is asked for.
   */
  appended(): void {
    void this.#notifications.request();
  }

  /** Resolves true once the head passes `after`, false on timeout, abort or close. */
  async waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    if (this.#sql.closed) return false;
    this.#listen();
    // While the head is read, a NOTIFY must not be ignored as if nobody
    // waited: it may be for a commit that this read came too early to see.
    this.#arming++;
    try {
      await this.query();
    } finally {
      this.#arming--;
    }
    // The head just read, or a later one that a NOTIFY brought meanwhile.
    const waiting = this.#waiters.wait(after, this.#known, options);
    this.#schedulePoll();
    try {
      return await waiting;
    } finally {
      // The last reader gone (woken, timed out, or its consumer stopped): an
      // armed poll would only keep the process alive, and query a pool that
      // may be ending.
      if (this.#waiters.size === 0) this.#stopPolling();
    }
  }

  /** Sends the NOTIFYs asked for, answers the waiters, and stops listening and polling. */
  async close(): Promise<void> {
    await this.#notifications.idle();
    await this.#headChecks.idle();
    this.#waiters.close();
    this.#stopPolling();
    const listening = this.#listening;
    this.#listening = undefined;
    if (listening !== undefined) {
      await listening.then((unlisten) => unlisten(), () => {}).catch(() => {});
    }
  }

  // Starts LISTENing once; a failure (the server is down) is retried by the next wait.
  #listen(): void {
    if (this.#listening !== undefined) return;
    this.#listening = this.#sql.driver.listen(
      notifyChannel(this.#sql.schema),
      (payload) => {
        const head = headInPayload(payload);
        if (head !== undefined) {
          this.#waiters.notify(this.learn(head));
          return;
        }
        // No head in it (plain SQL, or an older writer): only waiting readers
        // need the head now; the others ask when they read.
        if (this.#waiters.size > 0 || this.#arming > 0) void this.#headChecks.request();
      },
      // On every (re)connect: whatever was NOTIFYed while the connection was down is lost, so re-read the head.
      () => void this.#headChecks.request(),
    );
    this.#listening.then(
      () => {
        const ended = this.#listenOutage.worked();
        if (ended !== undefined) {
          this.#sql.logger.info("Store listening again", { ...this.#fields(), ...ended });
        }
      },
      (error) => {
        this.#listening = undefined;
        if (this.#listenOutage.failed() && !this.#sql.closed) {
          this.#sql.logger.warn("Store cannot listen for appends; polling until it can", {
            ...this.#fields(),
            error,
          });
        }
      },
    );
  }

  #fields(): { schema: string } {
    return { schema: this.#sql.schema };
  }

  #stopPolling(): void {
    if (this.#pollTimer !== undefined) clearTimeout(this.#pollTimer);
    this.#pollTimer = undefined;
  }

  // While readers wait, poll now and then: it covers lost notifications, and
  // a head that moved without one (a writer below others rolled back or died).
  #schedulePoll(): void {
    if (this.#pollTimer !== undefined || this.#sql.closed) return;
    const timer = setTimeout(async () => {
      try {
        await this.#headChecks.request();
        const ended = this.#pollOutage.worked();
        if (ended !== undefined) {
          this.#sql.logger.info("Store poll works again", { ...this.#fields(), ...ended });
        }
      } catch (error) {
        // Unavailable for now; the next poll tries again. Said once, not once a poll.
        if (this.#pollOutage.failed() && !this.#sql.closed) {
          this.#sql.logger.warn("Store poll failed; retrying", { ...this.#fields(), error });
        }
      }
      if (this.#pollTimer !== timer) return; // stopped meanwhile
      this.#pollTimer = undefined;
      if (this.#waiters.size > 0) this.#schedulePoll();
    }, this.#pollInterval);
    this.#pollTimer = timer;
  }
}
