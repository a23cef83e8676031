// The replies a store-backed command handler writes for senders that wait:
// the result as JSON once the handler succeeds, or the error once the
// command is parked. The last error of a failing command is kept for that
// reply, since a parked entry holds only the error's name and message and the
// sender should get the error's own class back.

import {
  type EventStore,
  type Logger,
  type ParkedMessage,
  type RecordedMessage,
  type TraceContext,
  traceContextOf,
  untracedStore,
} from "../core/mod.ts";
import { reportedResultAsJson } from "../core/messaging/mod.ts";
import { type ReplyData, replyError, replyToOf, writeReply } from "./_store_backed_replies.ts";

/** Where a command handler's failures are reported: its logger and error hooks. */
export interface ReplyReports {
  readonly group: string;
  readonly logger: Logger;
  /** Tells the handler's `onError`, then the transport's; never throws (a hook's throw is logged). */
  readonly onError: (error: unknown) => void;
}

/** The replies of one command name's handler. */
export class CommandReplies {
  readonly #lastErrors = new Map<string, ReturnType<typeof replyError>>();

  constructor(
    private readonly store: EventStore,
    private readonly name: string,
    private readonly reports: ReplyReports,
  ) {}

  /**
   * Runs one attempt of the handler on `message` unless it was answered
   * before a crash, then writes the reply a sender waits for, if one does.
   */
  async answer(
    message: RecordedMessage,
    trace: TraceContext | undefined,
    attempt: () => unknown,
  ): Promise<void> {
    const replyTo = replyToOf(message);
    // The transport's own check, not the handler's work: untraced, as the
    // sender's reads of the reply stream are (the reply's append is traced).
    if (
      replyTo !== undefined &&
      (await untracedStore(this.store).readStream(replyTo, { limit: 1 })).length > 0
    ) {
      return; // answered before a crash
    }
    let result: unknown;
    try {
      result = await attempt();
    } catch (error) {
      if (replyTo !== undefined) this.#lastErrors.set(message.id, replyError(error));
      throw error;
    }
    this.#lastErrors.delete(message.id);
    if (replyTo !== undefined) {
      await writeReply(this.store, replyTo, message, this.#resultReply(result, message), trace);
    }
  }

  /** The failure reply of a command given up on (its last error), if a sender waits. */
  async parked(entry: ParkedMessage): Promise<void> {
    const error = this.#lastErrors.get(entry.message.id) ??
      { name: entry.error.name, message: entry.error.message };
    this.#lastErrors.delete(entry.message.id);
    const replyTo = replyToOf(entry.message);
    if (replyTo === undefined) return;
    await writeReply(
      this.store,
      replyTo,
      entry.message,
      { ok: false, error },
      traceContextOf(entry.message.metadata),
    );
  }

  // The handler ran and its effects are done, so a result that cannot be
  // stored as JSON is no reason to park the command (a replay would run it
  // again): it is logged, and the sender gets the refusal.
  #resultReply(result: unknown, message: RecordedMessage): ReplyData {
    const { group, logger, onError } = this.reports;
    try {
      const operation = `sendAndWait "${this.name}"`;
      const json = reportedResultAsJson(result, operation, logger, {
        group,
        messageId: message.id,
      });
      return { ok: true, result: json };
    } catch (error) {
      onError(error);
      return { ok: false, error: replyError(error) };
    }
  }
}
