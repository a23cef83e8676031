/**
 * The schema a store lives in, as the user names it. Every table, function
 * and channel of a store is qualified with it, so one database can hold
 * several independent stores.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

// PostgreSQL's reserved words and those it keeps for types and functions
// (pg_get_keywords(), categories R and T, PostgreSQL 18): unquoted, they are
// syntax errors where the store names its schema (`order.messages`).
const RESERVED = new Set([
  "all",
  "analyse",
  "analyze",
  "and",
  "any",
  "array",
  "as",
  "asc",
  "asymmetric",
  "authorization",
  "binary",
  "both",
  "case",
  "cast",
  "check",
  "collate",
  "collation",
  "column",
  "concurrently",
  "constraint",
  "create",
  "cross",
  "current_catalog",
  "current_date",
  "current_role",
  "current_schema",
  "current_time",
  "current_timestamp",
  "current_user",
  "default",
  "deferrable",
  "desc",
  "distinct",
  "do",
  "else",
  "end",
  "except",
  "false",
  "fetch",
  "for",
  "foreign",
  "freeze",
  "from",
  "full",
  "grant",
  "group",
  "having",
  "ilike",
  "in",
  "initially",
  "inner",
  "intersect",
  "into",
  "is",
  "isnull",
  "join",
  "lateral",
  "leading",
  "left",
  "like",
  "limit",
  "localtime",
  "localtimestamp",
  "natural",
  "not",
  "notnull",
  "null",
  "offset",
  "on",
  "only",
  "or",
  "order",
  "outer",
  "overlaps",
  "placing",
  "primary",
  "references",
  "returning",
  "right",
  "select",
  "session_user",
  "similar",
  "some",
  "symmetric",
  "system_user",
  "table",
  "tablesample",
  "then",
  "to",
  "trailing",
  "true",
  "union",
  "unique",
  "user",
  "using",
  "variadic",
  "verbose",
  "when",
  "where",
  "window",
  "with",
]);

/**
 * Checks a schema name: lowercase letters, digits and `_`, starting with a
 * letter or `_`, and no word SQL reserves (`order`, `user`), so it never
 * needs quoting and fits in channel names.
 *
 * @example
 * ```ts
 * import { validateSchemaName } from "./schema_name.ts";
 * validateSchemaName("ordo"); // "ordo"
 * ```
 */
export function validateSchemaName(schema: unknown): string {
  if (typeof schema !== "string" || !IDENTIFIER.test(schema)) {
    throw new ValidationError(
      "options.schema",
      schema,
      "a schema name is 1 to 48 lowercase letters, digits or _, starting with a letter or _",
    );
  }
  if (RESERVED.has(schema)) {
    throw new ValidationError(
      "options.schema",
      schema,
      `"${schema}" is a reserved word in PostgreSQL: choose another name, such as "${schema}_store"`,
    );
  }
  return schema;
}
