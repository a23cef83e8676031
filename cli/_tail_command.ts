/**
 * `ordo tail`: follows the store (or a category) live, printing each new
 * message, until Ctrl-C.
 *
 * @module
 */

import {
  abortableSleep as sleep,
  createConsoleLogger,
  isRetryable,
  validateCategory,
  ValidationError,
} from "../core/mod.ts";
import { type Command, CONNECTION_HELP, positionOption, stringOption } from "./_command.ts";
import { CliUsageError } from "./_failure.ts";
import { toJsonText } from "./_json.ts";
import { messageLine } from "./_message_text.ts";

const RETRY_MS = 1_000;

/** `ordo tail`. */
export const tailCommand: Command = {
  name: "tail",
  summary: "follow new messages live, until Ctrl-C",
  help: `Usage: ordo tail [--category <c>] [--from <position>] [connection] [--json]

Prints each new message as it is appended, one a line, until Ctrl-C:
  @<position> <stream> v<version> <type> <time> <data>
A database that goes away (a restart) is waited out: tail says so on
standard error and goes on where it was when it can read again.

Options:
  --category <c>      only messages of this category
  --from <position>   start at this global position (default: after the head)

${CONNECTION_HELP}

Output (--json): one JSON message a line (positions as strings).`,
  options: { category: { type: "string" }, from: { type: "string" } },
  maxPositionals: 0,
  async run({ io, values, json, connection }) {
    const category = stringOption(values, "category");
    if (category !== undefined) {
      try {
        validateCategory(category, "--category");
      } catch (error) {
        throw new CliUsageError((error as ValidationError).message);
      }
    }
    const { store } = await connection();
    let from = positionOption(values, "from") ?? (await store.headPosition()) + 1n;
    const { signal } = io;
    // On standard error, so that --json output stays one message a line.
    io.err(
      `Following ${
        category === undefined ? "the store" : `category "${category}"`
      } from position ${from}; Ctrl-C stops.\n`,
    );
    // A database that goes away and comes back (a restart, a failover) is
    // waited out: tail is left running by people who expect it to still be
    // there afterwards. Said once on standard error, and once when it works again.
    const logger = createConsoleLogger({ write: (line) => io.err(`${line}\n`) });
    let failing = false;
    while (!signal.aborted) {
      try {
        // The head first: once a page comes back at the end, everything up to that head was read,
        // so the wait is past it (past the last message alone, other categories' appends would
        // wake a category tail at once, again and again).
        const head = await store.headPosition();
        const page = await store.readPage({
          ...(category === undefined ? {} : { category }),
          from,
          limit: 100,
        });
        if (failing) logger.info("Tail reads again", { from: String(from) });
        failing = false;
        for (const m of page.messages) io.out(json ? toJsonText(m) + "\n" : messageLine(m));
        from = page.next;
        if (page.end) {
          if (head >= from) from = head + 1n;
          await store.waitForAppend(from - 1n, { signal }).catch(() => false);
        }
      } catch (error) {
        if (signal.aborted || !isRetryable(error)) throw error;
        if (!failing) logger.warn("Tail cannot read; retrying every second", { error });
        failing = true;
        await sleep(RETRY_MS, signal);
      }
    }
    return 0;
  },
};
