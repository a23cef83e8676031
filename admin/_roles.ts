/**
 * Who may use the console: an operator credential may read and replay, a
 * viewer credential may only read. Both take the HTTP transport's `auth`
 * forms (a bearer token, or HMAC-signed requests); `{ none: true }` is
 * refused: the console needs authentication. Tokens and secrets must have at
 * least 16 characters, and the two roles must not share one.
 *
 * @module
 */

import { checkKnownKeys, ValidationError } from "../core/mod.ts";
import {
  type Authenticator,
  type BearerCredential,
  createAuthenticator,
  type HmacCredential,
  type HmacServerOptions,
} from "../transports/http/server/mod.ts";
import type { HmacSecret } from "../transports/http/wire/mod.ts";

/** What a request may do. */
export type AdminRole = "operator" | "viewer";

/**
 * One role's credential: bearer tokens or HMAC secrets (several, to rotate;
 * a named one as `{ token, name }` or `{ secret, name }`), each of at least
 * 16 characters. No `allow`: the HTTP transport's permissions name commands,
 * queries and events, none of which the console serves; what a caller may do
 * here is its role.
 */
export type AdminCredential =
  | {
    readonly bearer:
      | string
      | Omit<BearerCredential, "allow">
      | readonly (string | Omit<BearerCredential, "allow">)[];
  }
  | {
    readonly hmac: Omit<HmacServerOptions, "secret"> & {
      readonly secret:
        | HmacSecret
        | Omit<HmacCredential, "allow">
        | readonly (HmacSecret | Omit<HmacCredential, "allow">)[];
    };
  };

/** The console's credentials, by role. */
export interface AdminAuth {
  /** Credentials that may read everything and replay parked messages. */
  readonly operator: AdminCredential;
  /** Credentials that may read everything, and replay nothing. */
  readonly viewer?: AdminCredential;
}

/** Who a request is. */
export interface AdminCaller {
  readonly role: AdminRole;
  /** The credential's name, when it has one. */
  readonly name: string | undefined;
}

/** A request refused for want of an accepted credential: the error and the challenge. */
export interface Refusal {
  readonly error: unknown;
  readonly headers: Readonly<Record<string, string>>;
}

/** Judges requests by role. */
export class Roles {
  readonly #checks: readonly { readonly role: AdminRole; readonly auth: Authenticator }[];

  constructor(auth: unknown) {
    if (typeof auth !== "object" || auth === null) {
      throw new ValidationError("options.auth", auth, `is required: ${AUTH_SHAPE}`);
    }
    // Keys first, so that `opertor` is named as a typo rather than reported missing.
    checkKnownKeys(auth, ["operator", "viewer"], "options.auth");
    const { operator, viewer } = auth as AdminAuth;
    if (operator === undefined) {
      throw new ValidationError(
        "options.auth.operator",
        operator,
        `is required, the credential that may read and replay: ${CREDENTIAL_SHAPE}`,
      );
    }
    const operatorKeys = consoleCredential(operator, "options.auth.operator");
    const viewerKeys = viewer === undefined ? [] : consoleCredential(viewer, "options.auth.viewer");
    // The transport's checks (shapes, and keys long enough to resist guessing) before the
    // roles are compared, so a short key is named as such rather than as shared.
    this.#checks = [
      { role: "operator", auth: createAuthenticator(operator, "options.auth.operator") },
      ...(viewer === undefined
        ? []
        : [{ role: "viewer" as const, auth: createAuthenticator(viewer, "options.auth.viewer") }]),
    ];
    // A token both roles accept makes every viewer an operator: the viewer
    // could replay, which is what the role exists to forbid.
    for (const key of viewerKeys) {
      if (operatorKeys.some((k) => sameKey(k, key))) {
        throw new ValidationError(
          "options.auth.viewer",
          "(redacted)",
          "holds a credential the operator holds too, so a viewer could replay: give each role its own",
        );
      }
    }
  }

  /** The caller, or the refusal (of the last role tried: its scheme's challenge). */
  async judge(request: Request, body: Uint8Array): Promise<AdminCaller | Refusal> {
    const header = (name: string) => request.headers.get(name);
    const url = new URL(request.url);
    let refusal: Refusal | undefined;
    for (const { role, auth } of this.#checks) {
      try {
        const credential = auth.checkHeaders(header) ??
          await auth.checkSignature!(request.method, url.pathname + url.search, header, body);
        return { role, name: credential.name };
      } catch (error) {
        const refused = error as { error?: unknown; headers?: Record<string, string> };
        if (refused.error === undefined) throw error;
        refusal = { error: refused.error, headers: refused.headers ?? {} };
      }
    }
    return refusal!;
  }
}

const AUTH_SHAPE = '{ operator: { bearer: "…" }, viewer?: { bearer: "…" } }';

/** What a role's credential may be, for messages: what the HTTP transport accepts but `none`. */
const CREDENTIAL_SHAPE = '{ bearer: "token" } or { hmac: { secret: "…" } }';

/**
 * Checks one role's credential as the console takes it (no `none`, no
 * `allow`) and returns its tokens or secrets; the HTTP transport's own checks
 * (shapes, keys of at least 16 characters) run in `createAuthenticator`.
 */
function consoleCredential(value: unknown, path: string): readonly unknown[] {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ValidationError(path, value, `expected ${CREDENTIAL_SHAPE}`);
  }
  if ("none" in value) {
    throw new ValidationError(
      path,
      value,
      `the console needs authentication: ${CREDENTIAL_SHAPE}`,
    );
  }
  refuseAllow(value, path);
  checkKnownKeys(value, ["bearer", "hmac"], path);
  const v = value as { bearer?: unknown; hmac?: unknown };
  if ((v.bearer === undefined) === (v.hmac === undefined)) {
    throw new ValidationError(path, value, `expected exactly one of: ${CREDENTIAL_SHAPE}`);
  }
  // Shapes are left to createAuthenticator; the keys are collected for the shared-key check.
  const [field, list] = v.bearer !== undefined
    ? ["token", v.bearer]
    : ["secret", (v.hmac as { secret?: unknown } | null)?.secret];
  const entries = Array.isArray(list) ? list : [list];
  const keys: unknown[] = [];
  entries.forEach((entry, i) => {
    const at = `${path}.${v.bearer !== undefined ? "bearer" : "hmac.secret"}${
      Array.isArray(list) ? `[${i}]` : ""
    }`;
    const isKey = typeof entry === "string" || entry instanceof Uint8Array;
    if (!isKey && typeof entry === "object" && entry !== null) refuseAllow(entry, at);
    const key = isKey ? entry : (entry as Record<string, unknown> | null)?.[field];
    if ((typeof key === "string" || key instanceof Uint8Array) && key.length > 0) keys.push(key);
  });
  return keys;
}

/**
 * Refuses the HTTP transport's `allow` in a console credential: it would be
 * read as a limit on what the credential may do, and limit nothing, since
 * the console serves no commands, queries or events.
 */
function refuseAllow(value: object, path: string): void {
  if (!("allow" in value)) return;
  throw new ValidationError(
    `${path}.allow`,
    (value as { allow: unknown }).allow,
    "is the HTTP transport's permission over commands, queries and events, which the console does not serve: " +
      "remove it; a console credential takes its token or secret and a name, and its role says what it may do " +
      "(operator: read and replay; viewer: read only)",
  );
}

function sameKey(a: unknown, b: unknown): boolean {
  if (typeof a === "string" || typeof b === "string") return a === b;
  const x = a as Uint8Array, y = b as Uint8Array;
  return x.length === y.length && x.every((byte, i) => byte === y[i]);
}
