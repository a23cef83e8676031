// The credentials of a server's `auth` option, checked: each bearer token or
// HMAC secret with its name and its permissions (its own `allow`, each key it
// leaves out taken from the `auth` option's `allow`).

import { checkKnownKeys, ValidationError } from "../../../core/mod.ts";
import { checkHmacSecret, type HmacSecret } from "../wire/mod.ts";
import { type AllowOption, checkPermissions, type Permissions } from "./_permissions.ts";

/** Who a request is, once authenticated: its name (if given) and what it may do. */
export interface Credential {
  /** The credential's `name`; `undefined` when it has none. */
  readonly name: string | undefined;
  readonly permissions: Permissions;
}

/** A checked credential with the key that proves it. */
export interface KeyedCredential<K> extends Credential {
  readonly key: K;
}

/**
 * Each entry of a bearer or HMAC option as a credential: a bare key, or an
 * object `{ <keyField>, name?, allow? }`. `check` checks a key at its path.
 *
 * @throws {ValidationError} naming the entry or key that is wrong, or a name or key given twice
 */
export function checkCredentials<K>(
  value: unknown,
  path: string,
  keyField: "token" | "secret",
  check: (key: unknown, at: string) => K,
  shared: AllowOption,
): KeyedCredential<K>[] {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw new ValidationError(path, value, `name at least one ${keyField}`);
  const credentials = list.map((entry, i) => {
    const at = Array.isArray(value) ? `${path}[${i}]` : path;
    if (typeof entry !== "object" || entry === null || entry instanceof Uint8Array) {
      return { key: check(entry, at), name: undefined, permissions: checkPermissions(shared) };
    }
    const e = entry as Record<string, unknown>;
    checkKnownKeys(e, [keyField, "name", "allow"], at);
    if (e.name !== undefined && (typeof e.name !== "string" || e.name.length === 0)) {
      throw new ValidationError(`${at}.name`, e.name, "must be a non-empty string");
    }
    return {
      key: check(e[keyField], `${at}.${keyField}`),
      name: e.name as string | undefined,
      permissions: checkPermissions({ allow: e.allow, path: `${at}.allow` }, shared),
    };
  });
  refuseRepeats(credentials.map((c) => c.name), path, "name");
  refuseRepeats(credentials.map((c) => keyText(c.key)), path, keyField);
  return credentials;
}

/**
 * The fewest characters (or bytes) a server takes in a bearer token or an
 * HMAC secret. A server answers as many guesses as it is sent, so a short key
 * is found by trying; 16 is what the shortest generated key has (`openssl rand
 * -hex 8`; a UUID has 36). The client takes any key: the server decides.
 */
export const MIN_KEY_LENGTH = 16;

const GENERATE = "generate one with `openssl rand -hex 16`";

/**
 * A bearer token: no whitespace (it could not be sent in a header otherwise),
 * at least {@link MIN_KEY_LENGTH} characters.
 */
export function checkToken(token: unknown, at: string): string {
  if (typeof token !== "string") {
    throw new ValidationError(at, token, "must be a non-empty string without whitespace");
  }
  if (token.length === 0 || /\s/.test(token)) {
    // A secret is never shown, even a wrong one: the message lands in logs. A
    // token read from a file with its trailing newline is the common case.
    const where = /\s$/.test(token)
      ? "; it ends with whitespace (read from a file? trim it)"
      : token.length === 0
      ? ""
      : "; it holds whitespace";
    throw new ValidationError(
      at,
      `(redacted, ${token.length} characters)`,
      `must be a non-empty string without whitespace${where}`,
    );
  }
  return checkLength(token, token.length, "characters", at);
}

/** An HMAC secret of at least {@link MIN_KEY_LENGTH} characters or bytes. */
export function checkSecret(secret: unknown, at: string): HmacSecret {
  const checked = checkHmacSecret(secret, at);
  return typeof checked === "string"
    ? checkLength(checked, checked.length, "characters", at)
    : checkLength(checked, checked.byteLength, "bytes", at);
}

function checkLength<K>(key: K, length: number, unit: string, at: string): K {
  if (length >= MIN_KEY_LENGTH) return key;
  // Never the key itself, even a refused one: the message lands in logs.
  throw new ValidationError(
    at,
    `(redacted, ${length} ${unit})`,
    `must be at least ${MIN_KEY_LENGTH} ${unit} (a shorter key can be guessed by trying); ${GENERATE}`,
  );
}

function keyText(key: unknown): string {
  return typeof key === "string" ? `s:${key}` : `b:${Array.from(key as Uint8Array).join(",")}`;
}

function refuseRepeats(values: (string | undefined)[], path: string, what: string): void {
  const seen = new Set<string>();
  for (const value of values) {
    if (value === undefined) continue;
    if (seen.has(value)) {
      // The value itself is not shown: it may be a secret.
      throw new ValidationError(path, undefined, `the same ${what} is given twice`);
    }
    seen.add(value);
  }
}
