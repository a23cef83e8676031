/**
 * The logger every ordo component reports through: four levels, each a
 * message and a fields object, one line per event. The default writes to the
 * console; give a component {@link silentLogger} to silence it, or your own
 * `Logger` (or {@link createConsoleLogger} with `write`) to send the lines
 * elsewhere. No run-time import: Web-standard `console` only.
 *
 * A line reads `ordo <level>: <message> key=value …`: strings JSON-quoted (so a
 * line never breaks), errors as `"<name>: <message>"` (one with no message as
 * `"<name> <its own fields as JSON>"`, at most 500 characters of them) followed
 * by their `cause` chain (`"…; caused by <name>: <message>"`, at most 4 causes,
 * each error once), absent fields left out.
 *
 * @module
 */

import { ValidationError } from "./errors.ts";
import { checkOptionalFunction, checkOptions } from "./options.ts";

/** How serious an event is, from `error` (something failed) to `debug` (for tracing ordo itself). */
export type LogLevel = "error" | "warn" | "info" | "debug";

/** The data of an event: ids, names, counts, the error. */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * Where ordo writes what happened. Each method takes a message (sentence
 * case, no closing period) and the event's data as fields; it must not throw.
 */
export interface Logger {
  /** Something failed: a handler, a storage write, a request the server could not answer. */
  error(message: string, fields?: LogFields): void;
  /** Something went wrong that ordo handles: a retry, a parked message, a lost lease. */
  warn(message: string, fields?: LogFields): void;
  /** A change worth a line in normal operation: a consumer started, a partition taken over. */
  info(message: string, fields?: LogFields): void;
  /** Detail for tracing ordo itself; off by default. */
  debug(message: string, fields?: LogFields): void;
}

/** Options of {@link createConsoleLogger}. */
export interface CreateConsoleLoggerOptions {
  /** The least serious level written; lines below it are dropped. Default `"info"`. */
  readonly level?: LogLevel;
  /** Where each line goes. Default: `console.error`, `console.warn`, `console.info` or `console.debug` by level. */
  readonly write?: (line: string, level: LogLevel) => void;
}

const LOGGER_OPTIONS = ["level", "write"] as const;

const RANK: Readonly<Record<LogLevel, number>> = { error: 0, warn: 1, info: 2, debug: 3 };

/**
 * A logger that writes one line per event (see the module summary).
 *
 * @throws {ValidationError} when `level` is not one of the four, `write` not a
 *   function, or an option unknown
 * @example
 * ```ts
 * import { createConsoleLogger } from "./logger.ts";
 * const lines: string[] = [];
 * const logger = createConsoleLogger({ level: "warn", write: (line) => lines.push(line) });
 * logger.warn("Message parked", { group: "billing", attempts: 5 });
 * logger.info("Dropped: below the level");
 * console.log(lines); // ['ordo warn: Message parked group="billing" attempts=5']
 * ```
 */
export function createConsoleLogger(options: CreateConsoleLoggerOptions = {}): Logger {
  checkOptions(options, LOGGER_OPTIONS);
  checkOptionalFunction(options.write, "options.write");
  const level = options.level ?? "info";
  if (!Object.hasOwn(RANK, level)) {
    throw new ValidationError(
      "options.level",
      level,
      `expected "error", "warn", "info" or "debug"${levelHint(level)}`,
    );
  }
  const write = options.write ?? writeToConsole;
  const at = (wanted: LogLevel) => (message: string, fields?: LogFields) => {
    if (RANK[wanted] > RANK[level]) return;
    try {
      write(formatLogLine(wanted, message, fields), wanted);
    } catch {
      // A logger must not throw into the code that reports.
    }
  };
  return { error: at("error"), warn: at("warn"), info: at("info"), debug: at("debug") };
}

function writeToConsole(line: string, level: LogLevel): void {
  console[level](line);
}

/**
 * The default logger: one line per event on the console, from `info` up.
 *
 * @example
 * ```ts
 * import { consoleLogger } from "./logger.ts";
 * consoleLogger.error("HTTP request failed", { errorId: "5b1f9a60", path: "/queries/orders/show" });
 * // ordo error: HTTP request failed errorId="5b1f9a60" path="/queries/orders/show"
 * ```
 */
export const consoleLogger: Logger = createConsoleLogger();

const NOTHING = (): void => {};

/**
 * A logger that writes nothing.
 *
 * @example
 * ```ts
 * import { silentLogger } from "./logger.ts";
 * silentLogger.error("not written anywhere");
 * ```
 */
export const silentLogger: Logger = Object.freeze({
  error: NOTHING,
  warn: NOTHING,
  info: NOTHING,
  debug: NOTHING,
});

/**
 * The one line an event is written as (see the module summary).
 *
 * @example
 * ```ts
 * import { formatLogLine } from "./logger.ts";
 * formatLogLine("error", "Handler failed", { attempt: 2, error: new RangeError("no stock") });
 * // 'ordo error: Handler failed attempt=2 error="RangeError: no stock"'
 * ```
 */
export function formatLogLine(level: LogLevel, message: string, fields?: LogFields): string {
  let line = `ordo ${level}: ${oneLine(message)}`;
  if (fields === undefined) return line;
  for (const key of Object.keys(fields)) {
    const value = fields[key];
    if (value !== undefined) line += ` ${key}=${render(value)}`;
  }
  return line;
}

function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, " ");
}

function render(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number" || typeof value === "boolean" || value === null) {
    return String(value);
  }
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Error) return JSON.stringify(withCauses(value));
  try {
    return JSON.stringify(value, jsonBigints) ?? JSON.stringify(String(value));
  } catch {
    return JSON.stringify(String(value));
  }
}

function jsonBigints(_key: string, value: unknown): unknown {
  return typeof value === "bigint" ? value.toString() : value;
}

/** How many causes of an error a line follows, after the error itself. */
const CAUSE_DEPTH = 4;

// A wrapped error's root cause is often what says what to do (a
// StoreUnavailableError's ECONNREFUSED, a handler's "boom" under its
// wrapper): a user trial read `e="Error: boom"` and lost the rest. Each error
// once (a cause may point back up the chain), and a chain deeper than
// CAUSE_DEPTH ends in "…".
function withCauses(error: Error): string {
  let text = describeError(error);
  const seen = new Set<unknown>([error]);
  let cause = causeOf(error);
  for (let depth = 0; cause !== undefined && !seen.has(cause); depth++) {
    if (depth === CAUSE_DEPTH) return `${text}; caused by …`;
    seen.add(cause);
    text += `; caused by ${cause instanceof Error ? describeError(cause) : causeValue(cause)}`;
    cause = cause instanceof Error ? causeOf(cause) : undefined;
  }
  return text;
}

function describeError(error: Error): string {
  const fields = error.message === "" ? errorFields(error) : undefined;
  return fields === undefined ? `${error.name}: ${error.message}` : `${error.name} ${fields}`;
}

function causeOf(error: Error): unknown {
  try {
    return error.cause ?? undefined;
  } catch {
    return undefined; // a getter that throws: no cause to show
  }
}

// A cause that is not an Error (`{ cause: "timeout" }`, `{ cause: { code } }`): as JSON, bounded.
function causeValue(cause: unknown): string {
  try {
    const json = typeof cause === "string" ? cause : JSON.stringify(cause, jsonBigints);
    return json === undefined ? String(cause) : bounded(json);
  } catch {
    return String(cause);
  }
}

// What the line shows already, or never (the stack), when a class assigns it.
const SHOWN: ReadonlySet<string> = new Set(["name", "message", "stack", "cause"]);

/** The most of an error's fields (or of a cause that is no error) a line shows, in characters. */
const ERROR_FIELDS_LIMIT = 500;

function bounded(text: string): string {
  return text.length > ERROR_FIELDS_LIMIT ? `${text.slice(0, ERROR_FIELDS_LIMIT - 1)}…` : text;
}

// An error with no message says what it is by its fields (an Effect
// `Data.TaggedError("OrderExists")<{ orderId }>`, a class of the user's):
// its own enumerable ones as JSON, bounded, its `_tag` left out when it
// repeats the name (and `name`, `message`, `stack`, when a class assigns them). `undefined` when it has none, or they cannot be shown.
function errorFields(error: Error): string | undefined {
  const fields: Record<string, unknown> = {};
  let some = false;
  for (const key of Object.keys(error)) {
    const field = (error as unknown as Record<string, unknown>)[key];
    if (field === undefined || SHOWN.has(key) || (key === "_tag" && field === error.name)) continue;
    fields[key] = field;
    some = true;
  }
  if (!some) return undefined;
  try {
    return bounded(JSON.stringify(fields, jsonBigints));
  } catch {
    return undefined;
  }
}

/**
 * A {@link Logger} (an object with `error`, `warn`, `info` and `debug`), or
 * `fallback` when absent: how every component checks its `logger` option.
 *
 * @throws {ValidationError} at `path` when it is something else
 * @example
 * ```ts
 * import { checkLogger, silentLogger } from "./logger.ts";
 * checkLogger(undefined, "options.logger", silentLogger) === silentLogger; // true
 * ```
 */
export function checkLogger(value: unknown, path: string, fallback: Logger): Logger {
  if (value === undefined) return fallback;
  const l = value as Partial<Record<string, unknown>> | null;
  if (
    typeof l?.error !== "function" || typeof l.warn !== "function" ||
    typeof l.info !== "function" || typeof l.debug !== "function"
  ) {
    throw new ValidationError(path, value, "expected a Logger { error, warn, info, debug }");
  }
  return value as Logger;
}

// Other loggers' names for the same levels (pino's and winston's "warning",
// "fatal", "trace", upper case), and for no logging at all, which is not a
// level here but a logger of its own.
function levelHint(level: unknown): string {
  if (typeof level !== "string") return "";
  const lower = level.toLowerCase();
  if (Object.hasOwn(RANK, lower)) return `: levels are lower case, "${lower}"`;
  if (lower === "warning") return ': did you mean "warn"?';
  if (lower === "fatal" || lower === "critical") return ': did you mean "error"?';
  if (lower === "trace" || lower === "verbose") return ': did you mean "debug"?';
  if (lower === "silent" || lower === "none" || lower === "off") {
    return ": for no logging, pass silentLogger instead of a console logger";
  }
  return "";
}
