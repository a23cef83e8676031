/**
 * The schema a store lives in, as the user names it. Every table, function
 * and channel of a store is qualified with it, so one database can hold
 * several independent stores.
 *
 * @module
 */

import { ValidationError } from "../../core/mod.ts";

const IDENTIFIER = /^[a-z_][a-z0-9_]{0,47}$/;

/**
 * Checks a schema name: lowercase letters, digits and `_`, starting with a
 * letter or `_`, so it never needs quoting and fits in channel names.
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
  return schema;
}
