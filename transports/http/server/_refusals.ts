// Requests the handler refuses with a status of their own, before any
// transport call: 401, 404, 405 and 413. Each carries a ValidationError, so
// the body is the same JSON as any ordo error and the client rebuilds it.

import { ValidationError } from "../../../core/mod.ts";

/** A request refused with a status of its own; the body is the error's JSON. */
export class HttpRefusal {
  constructor(
    readonly status: number,
    readonly error: ValidationError,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {}
}

const ROUTES = "/commands/{name}, /queries/{name}, /events, /events/stream";

/** The 404 of a path that is no route. */
export function notFound(path: string): HttpRefusal {
  return new HttpRefusal(
    404,
    new ValidationError("path", path, `no route here: expected one of ${ROUTES}`),
  );
}

/** The 405 of a route called with another method than `expected`. */
export function methodNotAllowed(method: string, expected: string): HttpRefusal {
  return new HttpRefusal(
    405,
    new ValidationError("method", method, `this route takes ${expected}`),
    { allow: expected },
  );
}

/** The 413 refusal of a body over the limit. */
export function bodyTooLarge(size: number, limit: number): HttpRefusal {
  return new HttpRefusal(
    413,
    new ValidationError("body", size, `is larger than the limit of ${limit} bytes`),
  );
}

/** The 401 of a request without accepted credentials; `challenge` goes in `WWW-Authenticate`. */
export function unauthorized(challenge: string, reason: string): HttpRefusal {
  return new HttpRefusal(401, new ValidationError("headers.authorization", undefined, reason), {
    "www-authenticate": challenge,
  });
}
