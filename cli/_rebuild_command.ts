/**
 * `ordo rebuild <module>`: rebuilds a projection from a module that exports
 * it: forgets its group's checkpoint, clears its read model, and replays its
 * source up to the head, with a progress bar on a terminal and plain lines
 * when piped.
 *
 * @module
 */

import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import {
  checkKnownKeys,
  type ConsumerSource,
  type MessageHandler,
  type RebuildProgress,
  rebuildProjection,
} from "../core/mod.ts";
import { type Command, CONNECTION_HELP, positionOption } from "./_command.ts";
import { CliFailure, CliUsageError } from "./_failure.ts";
import { ProgressReport } from "./_progress.ts";

/** The database a projection's `reset` clears its read model in: the command line's own connection. */
export interface RebuildDatabase {
  /** Runs one statement; resolves its rows. */
  query(text: string, params?: readonly unknown[]): Promise<Record<string, unknown>[]>;
}

/**
 * What a module given to `ordo rebuild` exports as `projection`. The
 * handler's `context.tx` is the driver's transaction (postgres.js with
 * `--url`, PGlite with `--pglite`): what it writes through it commits with
 * the checkpoint.
 *
 * @example
 * ```ts
 * import type { TransactionSql } from "postgres";
 * import type { RebuildableProjection } from "./mod.ts";
 * export const projection: RebuildableProjection<TransactionSql> = {
 *   group: "order-totals",
 *   source: { category: "order" },
 *   reset: async (db) => void await db.query("DELETE FROM order_totals"),
 *   handler: async (m, { tx }) => {
 *     await tx.unsafe("INSERT INTO order_totals VALUES ($1, $2)", [m.streamName, (m.data as { total: number }).total]);
 *   },
 * };
 * // ordo rebuild ./order_totals.ts --url postgres://…
 * ```
 */
export interface RebuildableProjection<Tx = unknown> {
  /** The consumer group whose checkpoint the rebuild forgets and moves. */
  readonly group: string;
  /** What it reads. */
  readonly source: ConsumerSource;
  /** Folds one message into the read model. */
  readonly handler: MessageHandler<Tx>;
  /** Clears the read model before the replay. */
  readonly reset?: (database: RebuildDatabase) => Promise<void> | void;
  /** Messages per read. Default 100. */
  readonly batchSize?: number;
  /** `"message"` commits each message; default `"page"`, a page at a time (as `rebuildProjection`). */
  readonly commit?: "message" | "page";
}

/** The keys of a {@link RebuildableProjection}: any other is refused, naming the nearest. */
const PROJECTION_KEYS: readonly string[] = [
  "group",
  "source",
  "handler",
  "reset",
  "batchSize",
  "commit",
];

/** `ordo rebuild`. */
export const rebuildCommand: Command = {
  name: "rebuild",
  summary: "rebuild a projection from a module, with progress",
  help: `Usage: ordo rebuild <projection module> [--from <position>] [--force] [connection] [--json]

Rebuilds the projection a module exports as "projection":
  export const projection = { group, source, handler, reset?, batchSize?, commit? };
Forgets the group's checkpoint, runs reset (which clears the read model),
then replays the source up to the head as it was when the rebuild began.
Shows a progress bar (count, rate, ETA) on a terminal, plain lines when piped.
Stop the group's consumers first: it refuses while one runs, unless --force.
Ctrl-C stops after the page in progress (its messages commit together; with
commit: "message", after the handler in progress) and says so; the checkpoint
says how far it got. A second Ctrl-C exits at once, rolling that page back.

Options:
  --from <position>   start the replay at this global position (default: the start)
  --force             rebuild even while a consumer of the group runs

${CONNECTION_HELP}

Exit codes: 0 once rebuilt; 1 when stopped (Ctrl-C) or when a message was
parked (the read model lacks it until it is replayed: ordo parked <group>).

The last line names the last message handled: "rebuilt up to position 3000"
(a stream version for a stream source).

Output (--json): the final progress: { "group", "processed", "parked",
  "total", "fraction", "rate", "elapsedMs", "position", "target", "stopped" };
  "position" is the checkpoint (one past the last message handled: 3001),
  "target" the checkpoint it runs to (one past the source's newest message
  when it began, whatever its type): "position" reaches it once the rebuild is
  done, unless a types filter passed over the source's last messages`,
  options: { from: { type: "string" }, force: { type: "boolean" } },
  maxPositionals: 1,
  async run({ io, values, positionals, json, connection, print }) {
    const [path] = positionals;
    if (path === undefined) {
      throw new CliUsageError("Name the projection module: ordo rebuild <projection module>");
    }
    const from = positionOption(values, "from");
    const projection = await loadProjection(resolve(io.cwd, path), io.cwd);
    const { store, storage, query } = await connection();
    const running = (await storage.control?.running() ?? []).filter((p) =>
      p.group === projection.group
    );
    if (running.length > 0 && values.force !== true) {
      throw new CliFailure(
        `${running.length} consumer(s) of group "${projection.group}" are running: stop them first (they would move the checkpoint during the rebuild), or pass --force`,
      );
    }
    const report = new ProgressReport(io, {
      group: projection.group,
      quiet: json,
      unit: "stream" in projection.source ? "version" : "position",
    });
    // The page in progress runs to its end after Ctrl-C, which with slow
    // handlers is many seconds of silence: say what is being waited for.
    const perMessage = projection.commit === "message";
    const onStop = () =>
      io.err(
        perMessage
          ? "\nStopping after the handler in progress; Ctrl-C again exits now.\n"
          : `\nStopping after the page in progress (up to ${
            projection.batchSize ?? 100
          } messages, committed together); Ctrl-C again exits now and rolls it back.\n`,
      );
    io.signal.addEventListener("abort", onStop, { once: true });
    let final: RebuildProgress;
    try {
      final = await rebuildProjection(store, {
        group: projection.group,
        source: projection.source,
        handler: projection.handler as MessageHandler<unknown>,
        storage,
        batchSize: projection.batchSize,
        commit: projection.commit,
        controlInterval: false,
        signal: io.signal,
        ...(from === undefined ? {} : { from }),
        reset: () => projection.reset?.({ query }),
        onProgress: (progress: RebuildProgress) => report.update(progress),
      });
    } finally {
      io.signal.removeEventListener("abort", onStop);
    }
    report.finish(final);
    const stopped = io.signal.aborted;
    print({ group: projection.group, ...final, stopped }, () => "");
    return stopped || final.parked > 0 ? 1 : 0;
  },
};

async function loadProjection(file: string, cwd: string): Promise<RebuildableProjection> {
  // Each runtime words a missing module its own way, naming ordo's own file
  // as the importer ("imported from …/cli/_rebuild_command.ts"): say it plainly.
  if (!existsSync(file)) {
    throw new CliFailure(
      `Cannot load ${file}: there is no such file (a relative path is taken from ${cwd})`,
    );
  }
  let module: Record<string, unknown>;
  try {
    module = await import(pathToFileURL(file).href);
  } catch (error) {
    throw new CliFailure(
      `Cannot load ${file}: ${(error as Error).message}${loadHint(file, error)}`,
      {
        cause: error,
      },
    );
  }
  const projection = (module.projection ?? module.default) as RebuildableProjection | undefined;
  if (typeof projection === "object" && projection !== null) {
    // A key the rebuild does not read (a misspelt `handlr`, a `retry` policy
    // it does not take) would otherwise be ignored without a word.
    try {
      checkKnownKeys(projection, PROJECTION_KEYS, "projection");
    } catch (error) {
      throw new CliUsageError(`${file}: ${(error as Error).message}`);
    }
  }
  const ok = typeof projection === "object" && projection !== null &&
    typeof projection.group === "string" && typeof projection.handler === "function" &&
    typeof projection.source === "object";
  if (!ok) {
    throw new CliUsageError(
      `${file} exports no projection: export const projection = { group, source, handler, reset? }`,
    );
  }
  return projection!;
}

// Node before 22.18 loads no TypeScript, and a user trial's `npx ordo rebuild
// ./totals.ts` (as the example above writes it) ended on Node's bare
// "Unknown file extension" with no way forward.
function loadHint(file: string, error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  if (code !== "ERR_UNKNOWN_FILE_EXTENSION" || !/\.[cm]?ts$/.test(file)) return "";
  return ': this Node loads no TypeScript by itself: run ordo with a loader (NODE_OPTIONS="--import tsx" npx ordo rebuild ..., with tsx installed), give it the module compiled to JavaScript, or run bunx ordo or Deno';
}
