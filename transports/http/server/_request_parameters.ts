// What a request says besides its body: the message name in its path, the
// event stream's group and selector in its query, `Prefer: wait` and
// `Last-Event-ID` in its headers. Each refusal names where it looked.

import { validateCategory, ValidationError } from "../../../core/mod.ts";
import { type EventSelector, serviceOf } from "../../../core/messaging/mod.ts";

/** The name in a route's path, decoded and checked (whether it is served is the dispatcher's to say). */
export function messageName(encoded: string, kind: "command" | "query"): string {
  let name: string;
  try {
    name = decodeURIComponent(encoded);
  } catch {
    throw new ValidationError(kind, encoded, "is not a valid percent-encoded name");
  }
  serviceOf(name, kind);
  return name;
}

/** Milliseconds to wait from `Prefer: wait` (Infinity) or `wait=<seconds>`; `undefined` when the client does not wait. */
export function preferredWait(prefer: string | null): number | undefined {
  if (prefer === null) return undefined;
  for (const preference of prefer.split(",")) {
    const [token, value] = preference.split(";", 1)[0].split("=").map((part) => part.trim());
    if (token.toLowerCase() !== "wait") continue;
    if (value === undefined || value === "") return Infinity;
    if (!/^\d{1,9}$/.test(value)) {
      throw new ValidationError("headers.prefer", prefer, "expected wait or wait=<seconds>");
    }
    return Number(value) * 1000;
  }
  return undefined;
}

/** The event stream's group and selector. */
export function streamParameters(
  params: URLSearchParams,
): { group: string; selector: EventSelector } {
  const group = params.get("group");
  if (group === null || group.length === 0 || group.length > 150) {
    throw new ValidationError(
      "query.group",
      group ?? undefined,
      "must be a non-empty string of at most 150 characters",
    );
  }
  const names = params.get("names");
  const category = params.get("category");
  if ((names === null) === (category === null)) {
    throw new ValidationError(
      "query",
      params.toString(),
      "give exactly one of names=a,b or category=c",
    );
  }
  if (category !== null) {
    return { group, selector: { category: validateCategory(category, "query.category") } };
  }
  const list = names!.split(",");
  list.forEach((name, i) => serviceOf(name, `query.names[${i}]`));
  return { group, selector: list };
}

/** The position in `Last-Event-ID`; `undefined` when absent. */
export function lastEventId(header: string | null): bigint | undefined {
  if (header === null || header === "") return undefined;
  if (!/^\d{1,40}$/.test(header)) {
    throw new ValidationError(
      "headers.last-event-id",
      header,
      "expected a global position (digits)",
    );
  }
  return BigInt(header);
}
