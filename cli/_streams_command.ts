/**
 * `ordo streams`: one page of the store's streams, by name, filtered by
 * category, name prefix or a message type they hold.
 *
 * @module
 */

import { ValidationError } from "../core/mod.ts";
import { type Command, CONNECTION_HELP, stringOption, wholeOption } from "./_command.ts";
import { CliUsageError } from "./_failure.ts";
import { renderTable, shortTime } from "./_table.ts";

/** `ordo streams`. */
export const streamsCommand: Command = {
  name: "streams",
  summary: "list streams, filtered by category, type or name prefix",
  help:
    `Usage: ordo streams [--category <c>] [--type <t>] [--prefix <p>] [--limit <n>] [--after <name>] [connection] [--json]

Lists streams by name with their last message: version, position, type, time.

Options:
  --category <c>      only streams of this category (order for order-*)
  --type <t>          only streams holding a message of this type
  --prefix <p>        only streams whose name starts with this
  --limit <n>         streams per page, 1 to 1000 (default 50)
  --after <name>      the page after this stream: the "next" a page ends with

${CONNECTION_HELP}

Output (--json): { "streams": [{ "streamName", "category", "version",
  "globalPosition", "lastType", "lastTimestamp" }], "next", "end" }`,
  options: {
    category: { type: "string" },
    type: { type: "string" },
    prefix: { type: "string" },
    limit: { type: "string" },
    after: { type: "string" },
  },
  maxPositionals: 0,
  async run({ values, connection, print }) {
    const limit = wholeOption(values, "limit", 1) ?? 50;
    const filter = {
      category: stringOption(values, "category"),
      type: stringOption(values, "type"),
      prefix: stringOption(values, "prefix"),
      after: stringOption(values, "after"),
    };
    const { store } = await connection();
    const page = await store.listStreams({
      limit,
      ...Object.fromEntries(Object.entries(filter).filter(([, v]) => v !== undefined)),
    }).catch((error) => {
      if (error instanceof ValidationError) {
        throw new CliUsageError(
          `Invalid --${error.path.replace("options.", "")} "${
            String(error.value)
          }": ${error.reason}`,
        );
      }
      throw error;
    });
    print(page, () => {
      if (page.streams.length === 0 && page.end) return "No streams.\n";
      let text = renderTable(
        ["STREAM", "VERSION", "POSITION", "LAST TYPE", "LAST AT"],
        page.streams.map((s) => [
          s.streamName,
          String(s.version),
          String(s.globalPosition),
          s.lastType,
          shortTime(s.lastTimestamp),
        ]),
        // The name is what ordo read needs: found by the start shown, and whole in JSON.
        { whole: 'ordo streams --prefix "<its start>" --json shows it whole' },
      );
      if (!page.end) {
        // The same filters and limit, so that the hint pastes as the next page of this list.
        const again = [
          ...(["category", "type", "prefix"] as const).flatMap((key) =>
            filter[key] === undefined ? [] : [`--${key} ${JSON.stringify(filter[key])}`]
          ),
          ...(values.limit === undefined ? [] : [`--limit ${limit}`]),
          `--after ${JSON.stringify(page.next)}`,
        ];
        text += `More: ordo streams ${again.join(" ")} …\n`;
      }
      return text;
    });
    return 0;
  },
};
