/**
 * What every command is: a name, its help, its options as `node:util`
 * `parseArgs` takes them, and a run that gets the parsed values and, when it
 * needs one, an open connection. Connection options and `--json` / `--help`
 * are the same for every command.
 *
 * @module
 */

import { parseArgs, type ParseArgsConfig } from "node:util";
import { connect, type Connection } from "./_connect.ts";
import { CliUsageError } from "./_failure.ts";
import type { CliIo } from "./_io.ts";
import { toJsonText } from "./_json.ts";
import { parseFailure } from "./_parse_failure.ts";

/** The options of `parseArgs`. */
export type OptionsConfig = NonNullable<ParseArgsConfig["options"]>;

/** Options every command that reads the database takes. */
export const CONNECTION_OPTIONS: OptionsConfig = {
  url: { type: "string" },
  schema: { type: "string" },
  pglite: { type: "string" },
  stream: { type: "string" },
  "subject-prefix": { type: "string" },
  bucket: { type: "string" },
};

/** Options every command takes. */
const COMMON_OPTIONS: OptionsConfig = {
  json: { type: "boolean" },
  help: { type: "boolean", short: "h" },
};

/** The help lines for the connection options. */
export const CONNECTION_HELP = `Connection:
  --url <url>                PostgreSQL, postgres://user:password@host:5432/db
                             (default: DATABASE_URL), or NATS JetStream, nats://host:4222
                             (several: comma-separated)
  --pglite <dir>             a PGlite directory instead of a server
  --schema <name>            PostgreSQL: the schema the store lives in (default: ordo)
  --stream <name>            NATS: the store's JetStream stream (default: ORDO)
  --subject-prefix <prefix>  NATS: the prefix of the store's subjects (default: ordo)
  --bucket <name>            NATS: the consumer storage's key-value bucket
                             (default: ordo_consumers)
  On NATS, pass what the service gives createNatsStore ({ stream, subjectPrefix }) and
  createNatsConsumerStorage ({ bucket }).`;

/** What a command's run gets. */
export interface CommandContext {
  readonly io: CliIo;
  readonly values: Readonly<Record<string, string | boolean | undefined>>;
  readonly positionals: readonly string[];
  /** `--json`: one JSON document (or one per line, for `tail`) instead of tables. */
  readonly json: boolean;
  /** Opens the database the options name; the runner closes it. */
  connection(): Promise<Connection>;
  /** Writes `value` as JSON, or `text` for people. */
  print(value: unknown, text: () => string): void;
}

/** One command of the command line. */
export interface Command {
  /** As typed: `streams`, `parked`. */
  readonly name: string;
  /** One line for `ordo --help`. */
  readonly summary: string;
  /** The whole of `ordo <name> --help`. */
  readonly help: string;
  /** Its own options, besides the connection's and `--json` / `--help`. */
  readonly options: OptionsConfig;
  /** Whether it may make a new PGlite database where `--pglite` names none (migrate). */
  readonly createsDatabase?: boolean;
  /** Most positional arguments it takes. */
  readonly maxPositionals: number;
  /** Runs it; resolves its exit code. */
  run(context: CommandContext): Promise<number>;
}

/** Parses `args` for `command`, runs it, closes its connection; resolves the exit code. */
export async function runCommand(command: Command, args: string[], io: CliIo): Promise<number> {
  let parsed: ReturnType<typeof parseArgs>;
  const options = { ...COMMON_OPTIONS, ...CONNECTION_OPTIONS, ...command.options };
  try {
    parsed = parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliUsageError(parseFailure(error, options));
  }
  const values = parsed.values as Record<string, string | boolean | undefined>;
  if (values.help === true) {
    io.out(command.help.trimEnd() + "\n");
    return 0;
  }
  if (parsed.positionals.length > command.maxPositionals) {
    throw new CliUsageError(
      `Too many arguments to "ordo ${command.name}": ${
        parsed.positionals.slice(command.maxPositionals).join(" ")
      }`,
    );
  }
  let open: Promise<Connection> | undefined;
  const json = values.json === true;
  const context: CommandContext = {
    io,
    values,
    positionals: parsed.positionals,
    json,
    connection: () =>
      open ??= connect(
        {
          url: values.url as string | undefined,
          pglite: values.pglite as string | undefined,
          schema: values.schema as string | undefined,
          stream: values.stream as string | undefined,
          subjectPrefix: values["subject-prefix"] as string | undefined,
          bucket: values.bucket as string | undefined,
        },
        io,
        command.createsDatabase === true,
      ),
    print: (value, text) => io.out(json ? toJsonText(value, 2) + "\n" : text()),
  };
  try {
    return await command.run(context);
  } finally {
    if (open !== undefined) await (await open.catch(() => undefined))?.close();
  }
}

/** A whole number option, from `min`; `undefined` when absent. */
export function wholeOption(
  values: CommandContext["values"],
  name: string,
  min = 0,
): number | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (typeof raw !== "string" || !/^\d+$/.test(raw) || !Number.isSafeInteger(n) || n < min) {
    throw new CliUsageError(`Invalid --${name} "${raw}": expected a whole number from ${min}`);
  }
  return n;
}

/** A global position option; `undefined` when absent. */
export function positionOption(values: CommandContext["values"], name: string): bigint | undefined {
  const raw = values[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== "string" || !/^\d+$/.test(raw)) {
    throw new CliUsageError(
      `Invalid --${name} "${raw}": expected a global position (a whole number)`,
    );
  }
  return BigInt(raw);
}

/** A string option; `undefined` when absent. */
export function stringOption(values: CommandContext["values"], name: string): string | undefined {
  const raw = values[name];
  return typeof raw === "string" ? raw : undefined;
}
