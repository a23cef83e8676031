/**
 * What the command line says when `node:util`'s `parseArgs` refuses it: the
 * option as typed and what to do, instead of parseArgs's own text (which
 * speaks of positionals and quotes for a plain misspelling).
 *
 * @module
 */

import { nearestKey } from "../core/mod.ts";

/** The options parseArgs was given, as far as this needs them. */
type KnownOptions = Readonly<Record<string, { readonly type: "string" | "boolean" }>>;

/** The message for a refusal of `parseArgs` over `options`. */
export function parseFailure(error: unknown, options: KnownOptions): string {
  const message = error instanceof Error ? error.message : String(error);
  const code = (error as { code?: unknown } | null)?.code;
  const named = /'(-{1,2}[^' ]+)/.exec(message)?.[1];
  if (code === "ERR_PARSE_ARGS_UNKNOWN_OPTION" && named !== undefined) {
    // Only a near miss is suggested: a third of the letters, at least two.
    const typed = named.replace(/^-+/, "");
    const nearest = nearestKey(typed, Object.keys(options), Math.max(2, typed.length / 3));
    return nearest === undefined
      ? `Unknown option ${named}`
      : `Unknown option ${named}: did you mean --${nearest}?`;
  }
  if (code === "ERR_PARSE_ARGS_INVALID_OPTION_VALUE" && named !== undefined) {
    if (options[named.replace(/^-+/, "")]?.type === "boolean") {
      return `Option ${named} takes no value`;
    }
    return `Option ${named} needs a value (one that starts with "-" is written ${named}=-1)`;
  }
  return message.split("\n")[0];
}
