// A canonical form of a read model's view or of messages, so that two values
// compare equal when they hold the same data whatever order a Map, Set or
// object was filled in (different interleavings fill them in different
// orders, and that must not count); and the ways to show it: one line to
// compare, indented lines to diff, the first entry where two values differ.

/** A value in canonical form: a leaf, a list, or entries sorted by key. */
export type Canonical =
  | { readonly kind: "leaf"; readonly text: string }
  | { readonly kind: "list"; readonly label: string; readonly items: readonly Canonical[] }
  | {
    readonly kind: "entries";
    readonly label: string;
    readonly entries: readonly (readonly [string, Canonical])[];
  };

/** The canonical form of `value`: object keys sorted, Map entries and Set values sorted. */
export function canonical(value: unknown, seen = new Set<object>()): Canonical {
  if (value === undefined) return leaf("undefined");
  if (typeof value === "bigint") return leaf(`${value}n`);
  if (typeof value === "number" && !Number.isFinite(value)) return leaf(String(value));
  if (typeof value !== "object" || value === null) return leaf(JSON.stringify(value));
  if (seen.has(value)) return leaf("[cycle]");
  seen.add(value);
  try {
    if (value instanceof Date) return leaf(`Date(${value.toISOString()})`);
    if (Array.isArray(value)) {
      return { kind: "list", label: "", items: value.map((v) => canonical(v, seen)) };
    }
    if (value instanceof Set) {
      const items = [...value].map((v) => canonical(v, seen));
      return { kind: "list", label: "Set", items: items.sort(byText) };
    }
    const pairs: [string, Canonical][] = value instanceof Map
      ? [...value].map(([k, v]) => [line(canonical(k, seen)), canonical(v, seen)])
      : Object.keys(value).map((k) => [
        JSON.stringify(k),
        canonical((value as Record<string, unknown>)[k], seen),
      ]);
    pairs.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { kind: "entries", label: value instanceof Map ? "Map" : "", entries: pairs };
  } finally {
    seen.delete(value);
  }
}

/** The canonical text of `value` on one line: equal texts, equal values. */
export function viewText(value: unknown): string {
  return line(canonical(value));
}

/** One line of a canonical value. */
export function line(value: Canonical): string {
  if (value.kind === "leaf") return value.text;
  if (value.kind === "list") return `${value.label}[${value.items.map(line).join(",")}]`;
  const sep = value.label === "Map" ? " => " : ":";
  return `${value.label}{${value.entries.map(([k, v]) => `${k}${sep}${line(v)}`).join(",")}}`;
}

/** A canonical value as indented lines, one entry or item per line. */
export function lines(value: Canonical, indent = ""): string[] {
  if (value.kind === "leaf") return [indent + value.text];
  const inner = `${indent}  `;
  const [open, close] = value.kind === "list" ? ["[", "]"] : ["{", "}"];
  const body = value.kind === "list"
    ? value.items.flatMap((item) => suffix(lines(item, inner), ","))
    : value.entries.flatMap(([k, v]) => {
      const sep = value.label === "Map" ? " => " : ": ";
      const [first, ...rest] = lines(v, inner);
      return suffix([`${inner}${k}${sep}${first.trimStart()}`, ...rest], ",");
    });
  if (body.length === 0) return [`${indent}${value.label}${open}${close}`];
  return [`${indent}${value.label}${open}`, ...body, `${indent}${close}`];
}

/**
 * The first place two values differ, as a path (`Map["order-1"]`, `[2]`)
 * and the one-line texts on each side; `undefined` when they are equal.
 */
export function firstDifference(
  expected: Canonical,
  actual: Canonical,
  path = "",
): { readonly path: string; readonly expected: string; readonly actual: string } | undefined {
  if (line(expected) === line(actual)) return undefined;
  if (expected.kind === "list" && actual.kind === "list" && expected.label === actual.label) {
    for (let i = 0; i < Math.max(expected.items.length, actual.items.length); i++) {
      const a = expected.items[i];
      const b = actual.items[i];
      if (a === undefined || b === undefined) {
        return {
          path: `${path}[${i}]`,
          expected: a === undefined ? "(nothing)" : line(a),
          actual: b === undefined ? "(nothing)" : line(b),
        };
      }
      const inner = firstDifference(a, b, `${path}[${i}]`);
      if (inner !== undefined) return inner;
    }
  }
  if (expected.kind === "entries" && actual.kind === "entries" && expected.label === actual.label) {
    const keys = [...new Set([...expected.entries, ...actual.entries].map(([k]) => k))].sort();
    const a = new Map(expected.entries);
    const b = new Map(actual.entries);
    for (const key of keys) {
      const where = `${path}${expected.label}[${key}]`;
      const x = a.get(key);
      const y = b.get(key);
      if (x === undefined || y === undefined) {
        return {
          path: where,
          expected: x === undefined ? "(no entry)" : line(x),
          actual: y === undefined ? "(no entry)" : line(y),
        };
      }
      const inner = firstDifference(x, y, where);
      if (inner !== undefined) return inner;
    }
  }
  return {
    path: path === "" ? "(the whole value)" : path,
    expected: line(expected),
    actual: line(actual),
  };
}

/**
 * A line diff of two values' indented forms: unchanged lines start with two
 * spaces, expected-only lines with `- `, actual-only lines with `+ `.
 */
export function diff(expected: Canonical, actual: Canonical): string {
  const a = lines(expected);
  const b = lines(actual);
  // Longest common subsequence of lines; views under test are small.
  const common: number[][] = Array.from(
    { length: a.length + 1 },
    () => new Array(b.length + 1).fill(0),
  );
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      common[i][j] = a[i] === b[j]
        ? common[i + 1][j + 1] + 1
        : Math.max(common[i + 1][j], common[i][j + 1]);
    }
  }
  const out: string[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      out.push(`  ${a[i++]}`);
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      out.push(`- ${a[i++]}`);
    } else {
      out.push(`+ ${b[j++]}`);
    }
  }
  return out.join("\n");
}

function leaf(text: string): Canonical {
  return { kind: "leaf", text };
}

function byText(a: Canonical, b: Canonical): number {
  const x = line(a);
  const y = line(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function suffix(texts: string[], end: string): string[] {
  return texts.map((t, i) => (i === texts.length - 1 ? t + end : t));
}
