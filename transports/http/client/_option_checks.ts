// The checks of the client's options (createHttpTransport's), each throwing
// a ValidationError at the option's path. The `auth` option is checked in
// client_auth.ts with the shape both ends share (wire/auth_option.ts).

import { ValidationError } from "../../../core/mod.ts";

/** The server's base URL without trailing slashes: http: or https:, no query or fragment. */
export function baseUrl(url: unknown): string {
  let parsed: URL;
  try {
    parsed = new URL(url as string);
  } catch {
    throw new ValidationError("options.url", url, "expected an absolute http: or https: URL");
  }
  if (
    (parsed.protocol !== "http:" && parsed.protocol !== "https:") || parsed.search !== "" ||
    parsed.hash !== ""
  ) {
    throw new ValidationError(
      "options.url",
      String(url),
      "expected an http: or https: URL without query or fragment",
    );
  }
  return parsed.href.replace(/\/+$/, "");
}

/** Headers added to every request, names in lower case; `{}` when absent. */
export function extraHeaders(headers: unknown): Record<string, string> {
  if (headers === undefined) return {};
  if (typeof headers !== "object" || headers === null) {
    throw new ValidationError("options.headers", headers, "expected an object of header values");
  }
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== "string") {
      throw new ValidationError(`options.headers.${name}`, value, "must be a string");
    }
    out[name.toLowerCase()] = value;
  }
  return out;
}
