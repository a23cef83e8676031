// A canonical text of a read model's view, so two views compare equal when
// they hold the same data whatever order a Map, Set or object was filled in:
// different interleavings fill them in different orders, and that must not count.

/** Canonical JSON-like text of `value`: object keys sorted, Map entries and Set values sorted. */
export function viewText(value: unknown): string {
  return text(value, new Set());
}

function text(value: unknown, seen: Set<object>): string {
  if (value === undefined) return "undefined";
  if (typeof value === "bigint") return `${value}n`;
  if (typeof value === "number" && !Number.isFinite(value)) return String(value);
  if (typeof value !== "object" || value === null) return JSON.stringify(value);
  if (seen.has(value)) return "[cycle]";
  seen.add(value);
  try {
    if (value instanceof Date) return `Date(${value.toISOString()})`;
    if (Array.isArray(value)) return `[${value.map((v) => text(v, seen)).join(",")}]`;
    if (value instanceof Map) {
      return `Map{${
        [...value].map(([k, v]) => `${text(k, seen)}=>${text(v, seen)}`).sort().join(",")
      }}`;
    }
    if (value instanceof Set) {
      return `Set{${[...value].map((v) => text(v, seen)).sort().join(",")}}`;
    }
    const entries = Object.keys(value).sort().map((k) =>
      `${JSON.stringify(k)}:${text((value as Record<string, unknown>)[k], seen)}`
    );
    return `{${entries.join(",")}}`;
  } finally {
    seen.delete(value);
  }
}
