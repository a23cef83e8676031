/**
 * Text as NATS subject tokens. A token may hold neither `.`, `*`, `>` nor
 * whitespace, and a key-value key only letters, digits and `-/_=.`; so text is
 * escaped: letters, digits, `_` and `-` stay, every other character becomes
 * the escape character and the hex of its UTF-8 bytes (`order.v2` becomes
 * `order~2Ev2`). The escape is reversible and no two texts share a token.
 *
 * @module
 */

import { ValidationError } from "../../../core/mod.ts";

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
 * import { toToken } from "./tokens.ts";
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
 * import { fromToken } from "./tokens.ts";
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
 * import { validateSubjectPrefix } from "./tokens.ts";
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
