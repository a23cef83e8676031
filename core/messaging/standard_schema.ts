/**
 * Standard Schema v1 (https://standardschema.dev), the interface Effect
 * Schema, Zod, Valibot and ArkType all implement, declared here rather than
 * imported so that core/ has no npm import. Message contracts are schemas of
 * this shape; {@link validateStandard} runs one and turns its issues into a
 * `ValidationError` naming the field.
 *
 * @module
 */

import { ValidationError } from "../errors.ts";

/** A schema of any Standard Schema v1 library: the `~standard` property is all ordo uses. */
export interface StandardSchemaV1<Input = unknown, Output = Input> {
  /** The library's validator and version; named so that it never clashes with a schema's own fields. */
  readonly "~standard": StandardSchemaV1Props<Input, Output>;
}

/** The `~standard` property of a {@link StandardSchemaV1}. */
export interface StandardSchemaV1Props<Input = unknown, Output = Input> {
  /** The Standard Schema version; ordo accepts 1 only. */
  readonly version: 1;
  /** The library's name (`zod`, `effect`, `valibot`); ordo does not read it. */
  readonly vendor: string;
  /** Checks a value: the output on success, the issues otherwise; may be async. ordo reports the first issue. */
  readonly validate: (
    value: unknown,
  ) => StandardSchemaV1Result<Output> | Promise<StandardSchemaV1Result<Output>>;
  /** Carries the input and output types for inference only; absent at run time. */
  readonly types?: { readonly input: Input; readonly output: Output } | undefined;
}

/** What `validate` returns: the (possibly transformed) value, or the issues. */
export type StandardSchemaV1Result<Output> =
  | { readonly value: Output; readonly issues?: undefined }
  | { readonly issues: readonly StandardSchemaV1Issue[] };

/** One problem found by a schema, with where it is. */
export interface StandardSchemaV1Issue {
  /** What is wrong, in the library's words. */
  readonly message: string;
  /** Where: keys from the value's root; `ValidationError` renders them as `data.items[0].sku`. */
  readonly path?: ReadonlyArray<PropertyKey | { readonly key: PropertyKey }> | undefined;
}

/** The type a schema accepts (what a sender writes). */
export type InferInput<S> = S extends StandardSchemaV1<infer I, unknown> ? I : unknown;

/** The type a schema produces (what a handler receives). */
export type InferOutput<S> = S extends StandardSchemaV1<unknown, infer O> ? O : unknown;

/**
 * Whether a value is a Standard Schema v1 schema.
 *
 * @example
 * ```ts
 * import { isStandardSchema } from "./standard_schema.ts";
 * isStandardSchema({ "~standard": { version: 1, vendor: "x", validate: (value: unknown) => ({ value }) } }); // true
 * ```
 */
export function isStandardSchema(value: unknown): value is StandardSchemaV1 {
  const props =
    (value as { "~standard"?: { version?: unknown; validate?: unknown } } | null | undefined)
      ?.["~standard"];
  return typeof props === "object" && props !== null && props.version === 1 &&
    typeof props.validate === "function";
}

/**
 * Validates `value` with `schema` and resolves the schema's output; a sync
 * schema costs no extra promise turn beyond the caller's await.
 *
 * @throws {ValidationError} on the first issue: its path joined to `path`
 *   (`data.reason.code`), the value found there, and the schema's message
 *   (`and N more issues` when there were several)
 * @example
 * ```ts
 * import { validateStandard } from "./standard_schema.ts";
 * const positive = {
 *   "~standard": {
 *     version: 1 as const,
 *     vendor: "example",
 *     validate: (value: unknown) =>
 *       typeof value === "number" && value > 0 ? { value } : { issues: [{ message: "must be positive" }] },
 *   },
 * };
 * await validateStandard(positive, 3, "data"); // 3
 * ```
 */
export function validateStandard<S extends StandardSchemaV1>(
  schema: S,
  value: unknown,
  path: string,
): InferOutput<S> | Promise<InferOutput<S>> {
  const result = schema["~standard"].validate(value);
  if (result instanceof Promise) {
    return result.then((r) => outcome(r, value, path) as InferOutput<S>);
  }
  return outcome(result, value, path) as InferOutput<S>;
}

function outcome(result: StandardSchemaV1Result<unknown>, value: unknown, path: string): unknown {
  if (result.issues === undefined) return result.value;
  const [first] = result.issues;
  if (first === undefined) {
    throw new ValidationError(path, value, "the schema reported an empty list of issues");
  }
  const segments = (first.path ?? []).map((
    segment,
  ) => (typeof segment === "object" && segment !== null ? segment.key : segment));
  const more = result.issues.length > 1
    ? ` (and ${result.issues.length - 1} more issue${result.issues.length > 2 ? "s" : ""})`
    : "";
  throw new ValidationError(
    joinPath(path, segments),
    valueAt(value, segments),
    `${first.message}${more}`,
  );
}

// `data` + ["items", 2, "sku"] -> `data.items[2].sku`.
function joinPath(base: string, segments: readonly PropertyKey[]): string {
  let path = base;
  for (const segment of segments) {
    if (typeof segment === "number") path += `[${segment}]`;
    else if (typeof segment === "symbol") path += `[${segment.toString()}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}

function valueAt(value: unknown, segments: readonly PropertyKey[]): unknown {
  let current = value;
  for (const segment of segments) {
    if (typeof current !== "object" || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}
