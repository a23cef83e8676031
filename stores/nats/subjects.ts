/**
 * How ordo names become NATS subjects. An ordo stream is one subject,
 * `<prefix>.<category>.<id>`, so that JetStream's per-subject checks
 * (`Nats-Expected-Last-Subject-Sequence`) are per-stream checks and a category
 * is the subject filter `<prefix>.<category>.*`. Categories may hold `.` and
 * ids almost anything, while a subject token may hold neither `.`, `*`, `>`
 * nor whitespace; so each part is escaped into a token: letters, digits, `_`
 * and `-` stay, every other character becomes `~` and the hex of its UTF-8
 * bytes (`order.v2` becomes `order~2Ev2`). The escape is reversible and no two
 * names share a token.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

const encoder = new TextEncoder();
const decoder = new TextDecoder();

// Characters kept as they are: A-Z a-z 0-9 _ -
function plain(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 90) ||
    (code >= 97 && code <= 122) || code === 95 || code === 45;
}

/**
 * Escapes text into one subject token. `escape` is the escape character:
 * `~` for subjects, `=` for key-value keys (which may not hold `~`).
 *
 * @example
 * ```ts
 * import { toToken } from "./subjects.ts";
 * toToken("order.v2"); // "order~2Ev2"
 * toToken("5f1c-4d2e"); // "5f1c-4d2e"
 * ```
 */
export function toToken(text: string, escape = "~"): string {
  let token = "";
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (plain(text.charCodeAt(i))) continue;
    token += text.slice(start, i);
    const code = text.codePointAt(i)!;
    const char = String.fromCodePoint(code);
    for (const byte of encoder.encode(char)) {
      token += `${escape}${byte.toString(16).toUpperCase().padStart(2, "0")}`;
    }
    i += char.length - 1;
    start = i + 1;
  }
  return start === 0 ? text : token + text.slice(start);
}

/**
 * Reverses {@link toToken}.
 *
 * @example
 * ```ts
 * import { fromToken } from "./subjects.ts";
 * fromToken("order~2Ev2"); // "order.v2"
 * ```
 */
export function fromToken(token: string, escape = "~"): string {
  if (!token.includes(escape)) return token;
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === escape) {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return decoder.decode(new Uint8Array(bytes));
}

// A prefix is one or more plain tokens: it starts every subject ordo uses.
const PREFIX = /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/;

/**
 * Checks a subject prefix: tokens of letters, digits, `_` and `-`, joined by dots.
 *
 * @throws {ValidationError} for anything else
 * @example
 * ```ts
 * import { validateSubjectPrefix } from "./subjects.ts";
 * validateSubjectPrefix("ordo.shop"); // "ordo.shop"
 * ```
 */
export function validateSubjectPrefix(prefix: unknown, path = "options.subjectPrefix"): string {
  if (typeof prefix !== "string" || !PREFIX.test(prefix) || prefix.length > 100) {
    throw new ValidationError(
      path,
      prefix,
      "a subject prefix is up to 100 letters, digits, _ and -, in tokens joined by dots",
    );
  }
  return prefix;
}

/** The subjects one store uses, from its prefix. */
export interface StoreSubjects {
  /** Every message of the store: `<prefix>.>`. */
  readonly all: string;
  /** The subject of one ordo stream (a valid stream name). */
  stream(streamName: string): string;
  /** The filter of one category (a valid category). */
  category(category: string): string;
  /** The ordo stream a message subject belongs to; `undefined` for a subject of another shape. */
  streamOf(subject: string): string | undefined;
  /** The subject of a message id's index entry. */
  idEntry(id: string): string;
  /** Every index entry: `<prefix>_ids.>`. */
  readonly allIds: string;
}

/**
 * The subjects of a store whose prefix is `prefix`.
 *
 * @example
 * ```ts
 * import { storeSubjects } from "./subjects.ts";
 * const subjects = storeSubjects("ordo");
 * subjects.stream("order-5f1c"); // "ordo.order.5f1c"
 * subjects.category("order"); // "ordo.order.*"
 * ```
 */
export function storeSubjects(prefix: string): StoreSubjects {
  const depth = prefix.split(".").length;
  return {
    all: `${prefix}.>`,
    allIds: `${prefix}_ids.>`,
    stream(streamName) {
      const dash = streamName.indexOf("-");
      return `${prefix}.${toToken(streamName.slice(0, dash))}.${
        toToken(streamName.slice(dash + 1))
      }`;
    },
    category: (category) => `${prefix}.${toToken(category)}.*`,
    streamOf(subject) {
      const tokens = subject.split(".");
      if (tokens.length !== depth + 2) return undefined;
      return `${fromToken(tokens[depth])}-${fromToken(tokens[depth + 1])}`;
    },
    idEntry: (id) => `${prefix}_ids.${id}`,
  };
}
