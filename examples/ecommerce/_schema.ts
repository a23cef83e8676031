// A few lines of Standard Schema v1, enough for the shop's message contracts
// without pulling a schema library into three runtimes. Any Standard Schema
// library (Effect Schema, Zod, Valibot) would do the same job.
import type { StandardSchemaV1, StandardSchemaV1Issue } from "../../mod.ts";

/** Checks one field: returns what is wrong with `value`, or undefined when it is fine. */
export type FieldCheck = (value: unknown) => string | undefined;

/**
 * A schema of a plain object with exactly these fields (extra fields are
 * refused, so a typo in a sender is caught there). `T` is the type it stands for.
 */
export function objectSchema<T>(fields: Readonly<Record<string, FieldCheck>>): StandardSchemaV1<T> {
  return {
    "~standard": {
      version: 1,
      vendor: "ordo-ecommerce",
      validate(value) {
        if (typeof value !== "object" || value === null || Array.isArray(value)) {
          return { issues: [{ message: "must be an object" }] };
        }
        const issues: StandardSchemaV1Issue[] = [];
        for (const [key, check] of Object.entries(fields)) {
          const problem = check((value as Record<string, unknown>)[key]);
          if (problem !== undefined) issues.push({ message: problem, path: [key] });
        }
        for (const key of Object.keys(value)) {
          if (!Object.hasOwn(fields, key)) {
            issues.push({ message: "is not a field of this message", path: [key] });
          }
        }
        return issues.length > 0 ? { issues } : { value: value as T };
      },
    },
  };
}

/** An id that fits in a stream name: letters, digits, `_`, `.`, `:` and `-`, 1 to 64 characters. */
export const id: FieldCheck = (value) =>
  typeof value === "string" && /^[A-Za-z0-9][A-Za-z0-9_.:-]{0,63}$/.test(value)
    ? undefined
    : "must be 1 to 64 letters, digits, _, ., : or -, starting with a letter or digit";

/** Any string of at most 200 characters. */
export const text: FieldCheck = (
  value,
) => (typeof value === "string" && value.length <= 200
  ? undefined
  : "must be a string of at most 200 characters");

/** A non-empty map from names accepted by `isKey` to whole numbers from 1 to 1000. */
export function quantities(isKey: (key: string) => boolean): FieldCheck {
  return (value) => {
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      return "must be an object of quantities";
    }
    const entries = Object.entries(value);
    if (entries.length === 0) return "must name at least one product";
    for (const [key, count] of entries) {
      if (!isKey(key)) return `names an unknown product "${key}"`;
      if (!Number.isInteger(count) || (count as number) < 1 || (count as number) > 1000) {
        return `has a quantity for "${key}" that is not a whole number from 1 to 1000`;
      }
    }
    return undefined;
  };
}
