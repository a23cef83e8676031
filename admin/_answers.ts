/**
 * The console's responses: JSON (bigints as strings), ordo's errors with
 * their status and tagged body, and the static page, style and script, each
 * with headers that keep the page from being framed, sniffed or made to run
 * anything but its own script.
 *
 * @module
 */

import type { OrdoError } from "../core/mod.ts";
import { errorBody, statusOf, toJson } from "../transports/http/wire/mod.ts";

const SECURITY = {
  "x-content-type-options": "nosniff",
  "referrer-policy": "no-referrer",
  "x-frame-options": "DENY",
  "cache-control": "no-store",
};

/** The page's policy: its own script and style only, no inline code, no framing. */
const POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

/** A JSON answer. */
export function json(value: unknown, status = 200): Response {
  return new Response(toJson(value), {
    status,
    headers: { ...SECURITY, "content-type": "application/json; charset=utf-8" },
  });
}

/**
 * An ordo error as its tagged body, with its status (the handler logs any
 * other error and answers a `ServerError`); `more` adds fields the page
 * uses (a missing stream's nearby names).
 */
export function failure(
  error: OrdoError,
  status?: number,
  headers: Readonly<Record<string, string>> = {},
  more: Readonly<Record<string, unknown>> = {},
): Response {
  const response = json({ ...errorBody(error), ...more }, status ?? statusOf(error));
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}

/** A static asset with its type; the page also gets its content security policy. */
export function asset(text: string, type: "html" | "css" | "js"): Response {
  const types = { html: "text/html", css: "text/css", js: "text/javascript" };
  return new Response(text, {
    headers: {
      ...SECURITY,
      "content-type": `${types[type]}; charset=utf-8`,
      ...(type === "html" ? { "content-security-policy": POLICY } : {}),
    },
  });
}
