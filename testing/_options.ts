// The checks checkProjection makes of its arguments before anything runs, so
// that a mistake is refused with what to write instead of failing later, far
// from it (`Cannot use 'in' operator`, a projection "that threw" because it
// has no init) or not at all (a misspelt fast-check parameter, ignored).

import { checkOptionalFunction, checkOptions, ValidationError } from "../core/mod.ts";

// The names of fast-check 4's run parameters (`fc.Parameters`, as of 4.10).
// Unknown keys of `parameters` pass: a later fast-check may add some.
const FAST_CHECK_PARAMETERS: readonly string[] = [
  "seed",
  "randomType",
  "numRuns",
  "maxSkipsPerRun",
  "timeout",
  "skipAllAfterTimeLimit",
  "interruptAfterTimeLimit",
  "markInterruptAsFailure",
  "skipEqualValues",
  "ignoreEqualValues",
  "path",
  "unbiased",
  "verbose",
  "examples",
  "endOnFailure",
  "reporter",
  "asyncReporter",
  "includeErrorInReport",
  "plugins",
];

const MEMORY_OPTION_KEYS: readonly string[] = ["projection", "events", "checks", "parameters"];
const SQL_OPTION_KEYS: readonly string[] = [...MEMORY_OPTION_KEYS, "database", "schema"];
const CHECK_KEYS: readonly string[] = ["duplicates", "crashes", "interleavings"];
const FAST_CHECK_USED = ["check", "asyncProperty", "infiniteStream", "nat"] as const;

/** The fast-check parameter `key` names regardless of case, if any. */
function parameterNamed(key: string): string | undefined {
  return FAST_CHECK_PARAMETERS.find((name) => name.toLowerCase() === key.toLowerCase());
}

/**
 * Refuses what `checkProjection(fc, options)` cannot use: `fc` that is not
 * fast-check, options that are not an object or have an unknown key (a
 * fast-check parameter named as where it goes), a key of `parameters` that is
 * a fast-check parameter in the wrong case, a projection without the
 * functions it needs, events that are not an arbitrary.
 *
 * @throws {ValidationError} at the path of the first mistake
 */
export function checkArguments(fc: unknown, options: unknown): void {
  if (
    (typeof fc !== "object" && typeof fc !== "function") || fc === null ||
    FAST_CHECK_USED.some((name) => typeof (fc as Record<string, unknown>)[name] !== "function")
  ) {
    throw new ValidationError(
      "fc",
      fc,
      'expected fast-check\'s default export first (import fc from "fast-check"): ' +
        "checkProjection(fc, { projection, events })",
    );
  }
  if (typeof options !== "object" || options === null || Array.isArray(options)) {
    throw new ValidationError("options", options, "expected an object: { projection, events }");
  }
  const given = options as Record<string, unknown>;
  const sql = "database" in given;
  const allowed = sql ? SQL_OPTION_KEYS : MEMORY_OPTION_KEYS;
  for (const key of Object.keys(given)) {
    const parameter = allowed.includes(key) ? undefined : parameterNamed(key);
    if (parameter !== undefined) {
      throw new ValidationError(
        `options.${key}`,
        given[key],
        `unknown option; did you mean parameters: { ${parameter} }?`,
      );
    }
  }
  checkOptions(given, allowed);
  checkOptions(given.checks, CHECK_KEYS, "options.checks");
  checkParameters(given.parameters);
  checkProjectionShape(given.projection, sql);
  const events = given.events as { readonly generate?: unknown } | undefined;
  if (typeof events?.generate !== "function") {
    throw new ValidationError(
      "options.events",
      events,
      "expected a fast-check arbitrary of histories: fc.array(fc.record({ streamName, type, data }))",
    );
  }
}

/** Refuses a key of `parameters` that is a fast-check parameter's name in another case. */
function checkParameters(parameters: unknown): void {
  if (parameters === undefined) return;
  if (typeof parameters !== "object" || parameters === null || Array.isArray(parameters)) {
    throw new ValidationError(
      "options.parameters",
      parameters,
      "expected fast-check's parameters: { numRuns, seed, … }",
    );
  }
  for (const [key, value] of Object.entries(parameters)) {
    const parameter = parameterNamed(key);
    if (parameter !== undefined && parameter !== key) {
      throw new ValidationError(
        `options.parameters.${key}`,
        value,
        `fast-check would ignore it; did you mean "${parameter}"?`,
      );
    }
  }
}

// The functions a projection cannot do without, and what each is for.
const MEMORY_PROJECTION_NEEDS = {
  init: "init(), a function that returns a fresh, empty read model",
};
const SQL_PROJECTION_NEEDS = {
  reset: "reset(db), a function that creates its tables if missing and empties them",
  view: "view(db), a function that reads its read model back",
};

/**
 * Refuses a projection (at `path`) without the functions its kind needs, or
 * with one that is not a function.
 */
export function checkProjectionShape(
  projection: unknown,
  sql: boolean,
  path = "options.projection",
): void {
  if (typeof projection !== "object" || projection === null) {
    throw new ValidationError(
      path,
      projection,
      sql ? "expected { reset, apply, view }" : "expected { init, apply, view? }",
    );
  }
  const given = projection as Record<string, unknown>;
  const needed = sql ? SQL_PROJECTION_NEEDS : MEMORY_PROJECTION_NEEDS;
  for (const [name, what] of Object.entries(needed)) {
    if (typeof given[name] !== "function") {
      throw new ValidationError(
        `${path}.${name}`,
        given[name],
        `the projection needs ${what}`,
      );
    }
  }
  for (const name of sql ? ["apply", "applyPage"] : ["apply", "applyPage", "view"]) {
    checkOptionalFunction(given[name], `${path}.${name}`);
  }
  if (given.apply === undefined && given.applyPage === undefined) {
    throw new ValidationError(
      `${path}.apply`,
      undefined,
      "the projection needs apply, applyPage or both",
    );
  }
}
