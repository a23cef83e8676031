/**
 * The newest position of one EventStoreDB store, and the readers waiting
 * for a newer one: a backward scan of $all finds the head, and a live
 * subscription to $all, opened while readers wait, wakes them
 * (docs/decisions/eventstoredb.md, "Waiting for appends").
 *
 * @module
 */

import type { Position, ReadPosition } from "@eventstore/db-client";
import { type Logger, PositionWaiters, type WaitOptions } from "../../core/mod.ts";
import type { EventStoreDbClient, LiveSubscription } from "./client.ts";
import { toRecordedMessage } from "./event_mapping.ts";
import { subscriptionFilter, toReadAllOptions } from "./read_options.ts";
import type { StreamNaming } from "./stream_names.ts";
import { collect, positionOf } from "./_events.ts";

const SCAN_PAGE = 256;

/** One store's head: scanned, followed live while readers wait, and told by appends. */
export class HeadFollower {
  readonly #client: EventStoreDbClient;
  readonly #naming: StreamNaming;
  readonly #resubscribeDelay: number;
  readonly #logger: Logger;
  readonly #waiters = new PositionWaiters();
  // Newest position of this store's messages known to this process.
  #knownHead = 0n;
  // The last backward scan of $all: the newest event it met (any stream) and the head it found.
  #lastScan: { readonly newest: bigint; readonly head: bigint } | undefined;
  #following: Promise<void> | undefined;
  #subscription: LiveSubscription | undefined;
  #retryTimer: ReturnType<typeof setTimeout> | undefined;
  #closed = false;

  /**
   * `resubscribeDelay`: milliseconds before re-opening a dropped subscription
   * while readers wait; `logger` hears of each drop.
   */
  constructor(
    client: EventStoreDbClient,
    naming: StreamNaming,
    resubscribeDelay: number,
    logger: Logger,
  ) {
    this.#client = client;
    this.#naming = naming;
    this.#resubscribeDelay = resubscribeDelay;
    this.#logger = logger;
  }

  /**
   * Reads $all backward from its end to the newest message of this store, or
   * down to where the last scan began (nothing older can be newer than its head).
   */
  async scan(): Promise<{ head: bigint; newest: ReadPosition }> {
    const stopAt = this.#lastScan?.newest ?? 0n;
    let from: ReadPosition = "end";
    let newest: { position: bigint; raw: Position } | undefined;
    let below: bigint | undefined;
    const finish = (head: bigint): { head: bigint; newest: ReadPosition } => {
      const found = head > this.#knownHead ? head : this.#knownHead;
      if (newest !== undefined) this.#lastScan = { newest: newest.position, head: found };
      this.seen(found);
      return { head: found, newest: newest === undefined ? "start" : newest.raw };
    };
    for (;;) {
      const page = await collect(
        this.#client.readAll(toReadAllOptions(from, "backward", SCAN_PAGE)),
      );
      let last: Position | undefined;
      for (const { event } of page) {
        if (event === undefined) continue;
        last = event.position;
        const position = positionOf(event);
        if (position === undefined || (below !== undefined && position >= below)) continue;
        below = position;
        newest ??= { position, raw: event.position! };
        if (position <= stopAt) return finish(this.#lastScan?.head ?? 0n);
        const message = toRecordedMessage(event, this.#naming);
        if (message !== undefined) return finish(message.globalPosition);
      }
      if (page.length < SCAN_PAGE || last === undefined) return finish(0n);
      from = last;
    }
  }

  /** Resolves true once a message past `after` is known, false on timeout, abort or close. */
  waitForAppend(after: bigint, options?: WaitOptions): Promise<boolean> {
    const waiting = this.#waiters.wait(after, this.#knownHead, options);
    if (this.#waiters.size > 0) this.#follow();
    return waiting;
  }

  // Opens the live subscription that wakes waiters, once: it starts right
  // after the newest $all event the head scan met, so no append is missed.
  #follow(): void {
    if (this.#following !== undefined || this.#closed) return;
    this.#following = this.#subscribe().catch((error) => this.#retryLater(error));
  }

  async #subscribe(): Promise<void> {
    const { newest } = await this.scan();
    if (this.#closed) return;
    const subscription = this.#client.subscribeToAll({
      fromPosition: newest,
      filter: subscriptionFilter(this.#naming),
    });
    this.#subscription = subscription;
    subscription.on("data", (resolved) => {
      if (resolved.event === undefined) return;
      try {
        const message = toRecordedMessage(resolved.event, this.#naming);
        if (message !== undefined) this.seen(message.globalPosition);
      } catch { /* an event ordo cannot number wakes no one */ }
    });
    const dropped = (error?: unknown) => {
      if (this.#subscription !== subscription) return;
      this.#subscription = undefined;
      this.#retryLater(error ?? "the server ended it");
    };
    subscription.on("error", dropped);
    subscription.on("end", () => dropped());
  }

  #retryLater(error: unknown): void {
    this.#following = undefined;
    if (this.#closed || this.#waiters.size === 0 || this.#retryTimer !== undefined) return;
    this.#logger.warn("Store subscription to $all failed; subscribing again", {
      retryInMs: this.#resubscribeDelay,
      error,
    });
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      if (this.#waiters.size > 0) this.#follow();
    }, this.#resubscribeDelay);
  }

  /** Records a position of this store's messages; waiters past it wake. */
  seen(position: bigint): void {
    if (position <= this.#knownHead) return;
    this.#knownHead = position;
    this.#waiters.notify(position);
  }

  /** Answers the waiters and stops following. */
  async close(): Promise<void> {
    this.#closed = true;
    this.#waiters.close();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#retryTimer = undefined;
    const subscription = this.#subscription;
    this.#subscription = undefined;
    await subscription?.unsubscribe().catch(() => {});
  }
}
