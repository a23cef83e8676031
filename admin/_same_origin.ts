/**
 * The console's defence against cross-site requests that change state (a
 * replay): the request must carry the console's own header, which a page of
 * another origin cannot send without a CORS preflight this handler never
 * grants; its `Origin` (or `Sec-Fetch-Site`), when the browser sends one,
 * must be the console's own origin or one the options trust; and its
 * credential travels in `Authorization`, never in a cookie, so a forged
 * request carries none.
 *
 * @module
 */

import { ValidationError } from "../core/mod.ts";

/** The header every state-changing request of the console carries. */
export const CONSOLE_HEADER = "x-ordo-console";

/**
 * Why a state-changing request is refused as cross-site; `undefined` when it
 * passes. `trusted` are origins besides the request's own (the public origin
 * of a console behind a proxy).
 */
export function crossSiteRefusal(
  request: Request,
  trusted: readonly string[],
): ValidationError | undefined {
  if (request.headers.get(CONSOLE_HEADER) !== "1") {
    return new ValidationError(
      `header ${CONSOLE_HEADER}`,
      request.headers.get(CONSOLE_HEADER) ?? undefined,
      "a request that changes state must come from the console, which sends it as 1",
    );
  }
  const own = new URL(request.url).origin;
  const origin = request.headers.get("origin");
  if (origin !== null && origin !== own && !trusted.includes(origin)) {
    return new ValidationError(
      "origin",
      origin,
      `a request that changes state must come from the console's origin (${own}) or one in options.origins`,
    );
  }
  const site = request.headers.get("sec-fetch-site");
  if (origin === null && site !== null && site !== "same-origin" && site !== "none") {
    return new ValidationError(
      "sec-fetch-site",
      site,
      "a request that changes state must be same-origin",
    );
  }
  return undefined;
}
