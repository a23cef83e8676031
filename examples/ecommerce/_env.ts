// The settings every service reads from its environment. Read through
// node:process, which Deno, Bun and Node all provide, so one file serves the three.
import process from "node:process";
import { ValidationError } from "../../mod.ts";
import { checkDatabaseUrl } from "../_database_url.ts";

/** What every service needs to reach the shared store. */
export interface ShopSettings {
  /** The PostgreSQL server all three services share (`DATABASE_URL`). */
  readonly databaseUrl: string;
  /** The PostgreSQL schema of the store and of the services' tables (`ORDO_SCHEMA`, default `shop`). */
  readonly schema: string;
}

/** Reads `DATABASE_URL` and `ORDO_SCHEMA`. @throws {ValidationError} naming the variable when one is missing or malformed */
export function readShopSettings(): ShopSettings {
  const databaseUrl = checkDatabaseUrl(required("DATABASE_URL"));
  const schema = optional("ORDO_SCHEMA") ?? "shop";
  if (!/^[a-z_][a-z0-9_]{0,47}$/.test(schema)) {
    throw new ValidationError(
      "env.ORDO_SCHEMA",
      schema,
      "must be 1 to 48 lowercase letters, digits or _, starting with a letter or _",
    );
  }
  return { databaseUrl, schema };
}

/** A variable that must be set and not empty. @throws {ValidationError} when it is not */
export function required(name: string): string {
  const value = optional(name);
  if (value === undefined) throw new ValidationError(`env.${name}`, value, "must be set");
  return value;
}

/** A variable, or undefined when it is unset or empty. */
export function optional(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value === "" ? undefined : value;
}

/** A whole number from a variable, `fallback` when unset. @throws {ValidationError} when it is not a whole number from 0 to 65535 */
export function wholeNumber(name: string, fallback: number): number {
  const value = optional(name);
  if (value === undefined) return fallback;
  const number = Number(value);
  if (!Number.isInteger(number) || number < 0 || number > 65_535) {
    throw new ValidationError(`env.${name}`, value, "must be a whole number from 0 to 65535");
  }
  return number;
}
