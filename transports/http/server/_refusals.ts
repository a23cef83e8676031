// Requests the handler refuses before any transport call, each with the
// ordo error the client gets back: an unknown route (NotFoundError, 404), a
// request without an accepted credential (UnauthenticatedError, 401, with
// WWW-Authenticate), and two refusals of the request's own form that keep
// HTTP's statuses: a wrong method (405 + Allow) and a body over the
// `maxBodyBytes` option (413), both carrying a ValidationError.

import {
  NotFoundError,
  type OrdoError,
  UnauthenticatedError,
  ValidationError,
} from "../../../core/mod.ts";
import { statusOf } from "../wire/mod.ts";

/** A request refused before any transport call: the error, its status and extra headers. */
export class HttpRefusal {
  constructor(
    readonly error: OrdoError,
    readonly headers: Readonly<Record<string, string>> = {},
    readonly status: number = statusOf(error),
  ) {}
}

const ROUTES = "/commands/{name}, /queries/{name}, /events, /events/stream";

/** The 404 of a path that is no route. */
export function notFound(path: string): HttpRefusal {
  return new HttpRefusal(new NotFoundError("route", path, `expected one of ${ROUTES}`));
}

/** The 405 of a route called with another method than `expected`. */
export function methodNotAllowed(method: string, expected: string): HttpRefusal {
  return new HttpRefusal(
    new ValidationError("method", method, `this route takes ${expected}`),
    { allow: expected },
    405,
  );
}

/** The 413 refusal of a body over the limit; names the option that sets it. */
export function bodyTooLarge(size: number, limit: number): HttpRefusal {
  return new HttpRefusal(
    new ValidationError(
      "body",
      size,
      `is larger than the limit of ${limit} bytes (the handler's maxBodyBytes option)`,
    ),
    {},
    413,
  );
}

/** The 401 of a request without accepted credentials; `challenge` goes in `WWW-Authenticate`. */
export function unauthorized(scheme: string, challenge: string, reason: string): HttpRefusal {
  return new HttpRefusal(new UnauthenticatedError(scheme, reason), {
    "www-authenticate": challenge,
  });
}
