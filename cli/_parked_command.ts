/**
 * `ordo parked`: parked messages of every group (or one), one with its
 * message and error (`show`), and replays (`replay`), which a running
 * consumer of the group takes and runs through its handler.
 *
 * @module
 */

import {
  nearestKey,
  NotFoundError,
  type ParkedMessage,
  validateId,
  ValidationError,
} from "../core/mod.ts";
import {
  inspectConsumers,
  listParkedMessages,
  type ParkedListing,
  type ReplayAsked,
  type ReplayOutcome,
  replayOutcomes,
  requestReplay,
  requestReplayAll,
} from "../admin/mod.ts";
import {
  type Command,
  type CommandContext,
  CONNECTION_HELP,
  positionOption,
  stringOption,
  wholeOption,
} from "./_command.ts";
import type { Connection } from "./_connect.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import { renderTable, shortTime } from "./_table.ts";

/** `ordo parked`. */
export const parkedCommand: Command = {
  name: "parked",
  summary: "list, show and replay parked messages",
  help: `Usage:
  ordo parked [group] [--limit <n>] [--after <position>]
                                               list parked messages (of every group, or one)
  ordo parked show <id> [--group <g>]          one parked message: its message, error and attempts
  ordo parked replay <id> [--group <g>]        replay one through its group's running consumer
  ordo parked replay --all [--group <g>]       replay every parked message (of every group, or one)

A replay runs in the group's handler, which lives in your service: it is
asked for in the consumer storage, and a running consumer of the group takes
it within its controlInterval (2 s by default). While none runs, the request
waits and the next consumer of the group to start replays it. On NATS, the
NATS transport's bus.subscribe groups take no replays: replay refuses one
(exit 1), and --all passes them by, saying so.

Options:
  --group <g>         the group, when the message is parked in several
  --limit <n>         entries per group to list (default 100); a group with more
                      says how many and where the next page starts
  --after <position>  with a group: the entries after this one (the next page)
  --all               replay every parked message
  --wait <seconds>    how long replay waits for the outcome (default 30); it
                      returns at once when no consumer of the group runs
  --no-wait           ask for the replay and return at once

${CONNECTION_HELP}

Exit codes of replay: 0 once every message was replayed (with --no-wait: once
asked); 1 when one failed again (it stays parked) or nothing could be asked;
3 when the replay is recorded but has not run yet: no consumer of the group
is running, or none finished it within --wait (or before Ctrl-C stopped the
wait). The request stays recorded
and the group's next running consumer replays it; ordo parked shows whether
the message is still parked, ordo consumers <group> the replays waiting.

Output (--json): the entries as stored; replay gives { "group", "running",
  "outcomes": [{ "messageId", "outcome", "error" }] }, outcome being
  replayed, failed, pending (not taken yet) or taken (in progress).`,
  options: {
    group: { type: "string" },
    limit: { type: "string" },
    after: { type: "string" },
    all: { type: "boolean" },
    wait: { type: "string" },
    "no-wait": { type: "boolean" },
  },
  maxPositionals: 2,
  async run(context) {
    const [first, second] = context.positionals;
    if (first === "show") return await show(context, second);
    if (first === "replay") return await replay(context, second);
    if (second !== undefined) {
      const meant = nearestKey(first, ["show", "replay"], 2);
      throw new CliUsageError(
        `Unknown form "ordo parked ${first} ${second}": ${
          meant === undefined ? "" : `did you mean "ordo parked ${meant} ${second}"? `
        }run ordo parked --help`,
      );
    }
    return await list(context, first);
  },
};

async function list(context: CommandContext, group: string | undefined): Promise<number> {
  const limit = wholeOption(context.values, "limit", 1) ?? 100;
  const after = positionOption(context.values, "after");
  if (after !== undefined && group === undefined) {
    throw new CliUsageError("--after pages one group: ordo parked <group> --after <position>");
  }
  const connection = await context.connection();
  if (group !== undefined) await knownGroup(connection, group);
  let listing: ParkedListing;
  try {
    listing = await listParkedMessages(connection.storage, {
      ...(group === undefined ? {} : { group }),
      limit,
      ...(after === undefined ? {} : { after }),
    });
  } catch (error) {
    if (error instanceof ValidationError) throw new CliUsageError(error.message);
    throw error;
  }
  const { entries, more } = listing;
  // What was left out: after the table, or on standard error beside --json's array.
  const moreText = more.map((m) =>
    `Group "${m.group}": ${m.shown}${
      m.count === undefined ? "" : ` of ${m.count}`
    } shown. More: ordo parked ${m.group} --after ${m.after}${
      context.values.limit === undefined ? "" : ` --limit ${limit}`
    }\n`
  ).join("");
  if (context.json && moreText !== "") context.io.err(moreText);
  context.print(
    entries,
    () =>
      entries.length === 0
        ? `No parked messages${group === undefined ? "" : ` in group "${group}"`}.\n`
        : moreText === ""
        ? entriesTable(entries)
        : entriesTable(entries) + moreText,
  );
  return 0;
}

// A group the storage has never heard of is a typing mistake, not an empty list.
async function knownGroup(connection: Connection, group: string): Promise<void> {
  const { natsEventGroups } = connection;
  const found = await inspectConsumers(connection.store, connection.storage, {
    group,
    ...(natsEventGroups === undefined ? {} : { natsEventGroups }),
  });
  if (found.length === 0) {
    throw new CliFailure(
      `No consumer group "${group}": run ordo consumers to see the groups the storage knows`,
    );
  }
}

function entriesTable(entries: readonly ParkedMessage[]): string {
  return renderTable(
    ["GROUP", "MESSAGE ID", "STREAM", "TYPE", "ATTEMPTS", "PARKED AT", "ERROR"],
    entries.map((e) => [
      e.group,
      e.message.id,
      `${e.message.streamName}@${e.message.streamVersion}`,
      e.message.type,
      String(e.attempts),
      shortTime(e.parkedAt),
      `${e.error.name}: ${e.error.message}`,
    ]),
    { whole: "ordo parked show <id> shows it whole, --json every one" },
  );
}

async function show(context: CommandContext, id: string | undefined): Promise<number> {
  if (id === undefined) throw new CliUsageError("Name the message: ordo parked show <id>");
  const messageId = checkedId(id);
  const group = stringOption(context.values, "group");
  const { storage } = await context.connection();
  const groups = group !== undefined
    ? [group]
    : (await storage.parked.groups?.() ?? []).map((g) => g.group);
  const found = (await Promise.all(groups.map((g) => storage.parked.get(g, messageId))))
    .filter((e): e is ParkedMessage => e !== undefined);
  if (found.length === 0) {
    throw new CliFailure(
      `No parked message "${messageId}"${
        group === undefined ? "" : ` in group "${group}"`
      }: ordo parked lists them`,
    );
  }
  context.print(found.length === 1 ? found[0] : found, () => found.map(entryText).join("\n"));
  return 0;
}

function entryText(e: ParkedMessage): string {
  const m = e.message;
  return `Group      ${e.group} (partition ${e.partition})
Message    ${m.id}
Stream     ${m.streamName} version ${m.streamVersion}, position ${m.globalPosition}
Type       ${m.type}
Attempts   ${e.attempts}
Parked at  ${e.parkedAt}
Error      ${e.error.name}: ${e.error.message}
Data       ${JSON.stringify(m.data)}
Metadata   ${JSON.stringify(m.metadata)}
${e.error.stack === undefined ? "" : `Stack\n${e.error.stack}\n`}`;
}

function checkedId(id: string): string {
  try {
    return validateId(id, "message id");
  } catch (error) {
    throw new CliUsageError((error as ValidationError).message);
  }
}

/**
 * The exit code of a replay recorded in the storage that no consumer has run
 * yet: not 1, which reads as "nothing happened", since the request stays and will run.
 */
const NOT_RUN_YET = 3;

async function replay(context: CommandContext, id: string | undefined): Promise<number> {
  const { values } = context;
  const all = values.all === true;
  if (all === (id !== undefined)) {
    throw new CliUsageError("Name one message, or --all: ordo parked replay <id> | --all");
  }
  if (values["no-wait"] === true && values.wait !== undefined) {
    throw new CliUsageError("Give --wait <seconds> or --no-wait, not both");
  }
  const waitSeconds = values["no-wait"] === true ? 0 : wholeOption(values, "wait", 0) ?? 30;
  const group = stringOption(values, "group");
  const connection = await context.connection();
  const { storage, natsEventGroups } = connection;
  // A NATS transport group's replay is refused: the transport takes none.
  const nats = natsEventGroups === undefined ? {} : { natsEventGroups };
  if (group !== undefined) await knownGroup(connection, group);
  const transport = new Set((await natsEventGroups?.() ?? []).map((g) => g.group));
  const asked: ReplayAsked[] = [];
  try {
    if (id !== undefined) {
      asked.push(
        await requestReplay(storage, checkedId(id), {
          ...(group === undefined ? {} : { group }),
          ...nats,
        }),
      );
    } else {
      const parked = (await storage.parked.groups?.() ?? []).map((g) => g.group);
      // --all over every group passes the transport's by, saying so; one named is refused.
      const skipped = group === undefined ? parked.filter((g) => transport.has(g)) : [];
      for (const name of skipped) {
        context.io.err(
          `Group "${name}" is a NATS transport group: its parked messages are not replayed (the transport takes no replays)\n`,
        );
      }
      const groups = group !== undefined ? [group] : parked.filter((g) => !transport.has(g));
      for (const name of groups) asked.push(await requestReplayAll(storage, name, nats));
    }
  } catch (error) {
    if (error instanceof NotFoundError) {
      throw new CliFailure(`${error.message}: ordo parked lists them`);
    }
    // A NATS transport group's replay is no usage mistake: the command is right, the group takes none.
    if (error instanceof ValidationError && transport.has(String(error.value))) {
      throw new CliFailure(error.message);
    }
    if (error instanceof ValidationError) throw new CliUsageError(error.message);
    throw error;
  }
  for (const a of asked) {
    if (a.running === 0 && a.messages.length > 0) {
      context.io.err(
        `No consumer of group "${a.group}" is running: the replay of ${
          plural(a.messages.length, "message")
        } is recorded and runs when one starts.\n`,
      );
    }
  }
  const results = await awaitOutcomes(context, asked, waitSeconds);
  context.print(
    results.map(({ asked: a, outcomes }) => ({ group: a.group, running: a.running, outcomes })),
    () => outcomesText(results),
  );
  const outcomes = results.flatMap((r) => r.outcomes);
  if (outcomes.some((o) => o.outcome === "failed")) return 1;
  if (outcomes.every((o) => o.outcome === "replayed") || waitSeconds === 0) return 0;
  // Ctrl-C ends the wait early: "did not finish within 30 s" after 4 s was untrue.
  const waited = context.io.signal.aborted
    ? "was still running when Ctrl-C stopped the wait"
    : `did not finish within ${waitSeconds} s`;
  for (const { asked: a, outcomes: own } of results) {
    const open = own.filter((o) => o.outcome !== "replayed").length;
    if (a.running > 0 && open > 0) {
      context.io.err(
        `Group "${a.group}": the replay of ${
          plural(open, "message")
        } ${waited}; its running consumer goes on with it (ordo parked shows when it is done).\n`,
      );
    }
  }
  return NOT_RUN_YET;
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? "" : "s"}`;
}

interface AskedOutcomes {
  readonly asked: ReplayAsked;
  readonly outcomes: ReplayOutcome[];
}

/** Polls the outcomes until each replay is done or failed, or `seconds` pass. */
async function awaitOutcomes(
  context: CommandContext,
  asked: readonly ReplayAsked[],
  seconds: number,
): Promise<AskedOutcomes[]> {
  const { storage } = await context.connection();
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const results = await Promise.all(
      asked.map(async (a) => ({ asked: a, outcomes: await replayOutcomes(storage, a) })),
    );
    const open = results.some(({ asked: a, outcomes }) =>
      a.running > 0 && outcomes.some((o) => o.outcome === "pending" || o.outcome === "taken")
    );
    if (!open || Date.now() >= deadline || context.io.signal.aborted) return results;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

function outcomesText(results: readonly AskedOutcomes[]): string {
  if (results.length === 0) return "No parked messages: nothing to replay.\n";
  const lines: string[] = [];
  for (const { asked, outcomes } of results) {
    if (outcomes.length === 0) lines.push(`Group "${asked.group}" has no parked messages.`);
    for (const o of outcomes) {
      const what = {
        replayed: "replayed: handled and off the parked list",
        failed: `failed again, still parked: ${o.error?.name}: ${o.error?.message}`,
        pending: asked.running === 0
          ? "recorded; runs when a consumer of the group starts"
          : "recorded; not taken by a consumer yet",
        taken: "taken by a consumer; not finished yet",
      }[o.outcome];
      lines.push(`${o.messageId} (${asked.group}) ${what}`);
    }
  }
  return lines.join("\n") + "\n";
}
