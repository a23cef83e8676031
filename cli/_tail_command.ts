/**
 * `ordo tail`: follows the store (or a category) live, printing each new
 * message, until Ctrl-C.
 *
 * @module
 */

import { validateCategory, ValidationError } from "../core/mod.ts";
import { type Command, CONNECTION_HELP, positionOption, stringOption } from "./_command.ts";
import { CliUsageError } from "./_failure.ts";
import { toJsonText } from "./_json.ts";
import { messageLine } from "./_message_text.ts";

/** `ordo tail`. */
export const tailCommand: Command = {
  name: "tail",
  summary: "follow new messages live, until Ctrl-C",
  help: `Usage: ordo tail [--category <c>] [--from <position>] [connection] [--json]

Prints each new message as it is appended, one a line, until Ctrl-C:
  @<position> <stream> v<version> <type> <time> <data>

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
    while (!signal.aborted) {
      // The head first: after a short page, everything up to it was read, so wait past it
      // (past `from` alone, other categories' appends would wake a category tail at once).
      const head = await store.headPosition();
      const page = category === undefined
        ? await store.readAll({ from, limit: 100 })
        : await store.readCategory(category, { from, limit: 100 });
      for (const message of page) io.out(json ? toJsonText(message) + "\n" : messageLine(message));
      if (page.length > 0) from = page[page.length - 1].globalPosition + 1n;
      if (page.length < 100) {
        if (head >= from) from = head + 1n;
        await store.waitForAppend(from - 1n, { signal }).catch(() => false);
      }
    }
    return 0;
  },
};
