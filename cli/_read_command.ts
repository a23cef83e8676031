/**
 * `ordo read <stream>`: a stream's messages in version order.
 *
 * @module
 */

import { ValidationError } from "../core/mod.ts";
import { type Command, CONNECTION_HELP, wholeOption } from "./_command.ts";
import { CliUsageError } from "./_failure.ts";
import { messageLine } from "./_message_text.ts";

/** `ordo read`. */
export const readCommand: Command = {
  name: "read",
  summary: "read a stream's messages",
  help: `Usage: ordo read <stream> [--from <version>] [--limit <n>] [connection] [--json]

Prints a stream's messages in version order, one a line:
  @<position> <stream> v<version> <type> <time> <data>

Options:
  --from <version>    first version to print (default 0)
  --limit <n>         most messages to print (default all)

${CONNECTION_HELP}

Output (--json): [{ "id", "type", "data", "metadata", "streamName",
  "streamVersion", "globalPosition" }] (positions as strings)`,
  options: { from: { type: "string" }, limit: { type: "string" } },
  maxPositionals: 1,
  async run({ values, positionals, connection, print }) {
    const [stream] = positionals;
    if (stream === undefined) {
      throw new CliUsageError("Name the stream to read: ordo read <stream>");
    }
    const from = wholeOption(values, "from", 0);
    const limit = wholeOption(values, "limit", 1);
    const { store } = await connection();
    const messages = await store.readStream(stream, {
      ...(from === undefined ? {} : { from }),
      ...(limit === undefined ? {} : { limit }),
    }).catch((error) => {
      if (error instanceof ValidationError) {
        throw new CliUsageError(`Invalid stream name "${stream}": ${error.reason}`);
      }
      throw error;
    });
    print(
      messages,
      () =>
        messages.length === 0
          ? `Stream "${stream}" has no messages${from ? ` from version ${from}` : ""}.\n`
          : messages.map(messageLine).join(""),
    );
    return 0;
  },
};
