/**
 * Who may use the console: an operator credential may read and replay, a
 * viewer credential may only read. Both take the HTTP transport's `auth`
 * forms (a bearer token, or HMAC-signed requests); `{ none: true }` is
 * refused: the console needs authentication.
 *
 * @module
 */

import { checkKnownKeys, ValidationError } from "../core/mod.ts";
import {
  type Authenticator,
  createAuthenticator,
  type HttpServerAuth,
} from "../transports/http/server/mod.ts";

/** What a request may do. */
export type AdminRole = "operator" | "viewer";

/** The console's credentials, by role. */
export interface AdminAuth {
  /** Credentials that may read everything and replay parked messages. */
  readonly operator: HttpServerAuth;
  /** Credentials that may read everything, and replay nothing. */
  readonly viewer?: HttpServerAuth;
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
    if (typeof auth !== "object" || auth === null || !("operator" in auth)) {
      throw new ValidationError(
        "options.auth",
        auth,
        'is required: { operator: { bearer: "…" }, viewer?: { bearer: "…" } }',
      );
    }
    checkKnownKeys(auth, ["operator", "viewer"], "options.auth");
    const { operator, viewer } = auth as AdminAuth;
    const checked = (value: unknown, path: string) => {
      if (typeof value === "object" && value !== null && "none" in value) {
        throw new ValidationError(
          path,
          value,
          "the console needs authentication: a bearer token or an HMAC secret",
        );
      }
      return createAuthenticator(value, path);
    };
    this.#checks = [
      { role: "operator", auth: checked(operator, "options.auth.operator") },
      ...(viewer === undefined
        ? []
        : [{ role: "viewer" as const, auth: checked(viewer, "options.auth.viewer") }]),
    ];
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
