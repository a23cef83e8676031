/**
 * Message contracts: a schema per command, query and event name, from any
 * Standard Schema v1 library (Effect Schema, Zod, Valibot, ArkType), and the
 * TypeScript types a bus infers from them. Senders write a schema's input
 * type; handlers receive its output type.
 *
 * @module
 */

import type { InferInput, InferOutput, StandardSchemaV1 } from "./standard_schema.ts";

/** Schemas by message name. */
export type SchemaMap = Readonly<Record<string, StandardSchemaV1>>;

/**
 * The contracts of a bus. A section that is given is a closed list: names
 * outside it are refused at the sender. A section left out accepts any name
 * and any JSON data.
 */
export interface BusContracts {
  readonly commands?: SchemaMap;
  readonly queries?: SchemaMap;
  readonly events?: SchemaMap;
}

/**
 * Declares contracts, keeping their literal names for type inference.
 *
 * @example
 * ```ts
 * import { defineContracts } from "./contracts.ts";
 * import type { StandardSchemaV1 } from "./standard_schema.ts";
 * const anything: StandardSchemaV1<unknown> = { "~standard": { version: 1, vendor: "x", validate: (value) => ({ value }) } };
 * const contracts = defineContracts({ commands: { "users/lock": anything } });
 * ```
 */
export function defineContracts<const C extends BusContracts>(contracts: C): C {
  return contracts;
}

type Section<C, K extends keyof BusContracts> = C extends { readonly [P in K]: infer M } ? M
  : undefined;
type NameIn<M> = M extends SchemaMap ? keyof M & string : string;
type InputIn<M, N> = M extends SchemaMap ? (N extends keyof M ? InferInput<M[N]> : never) : unknown;
type OutputIn<M, N> = M extends SchemaMap ? (N extends keyof M ? InferOutput<M[N]> : never)
  : unknown;

/** Command names a bus accepts. */
export type CommandName<C> = NameIn<Section<C, "commands">>;
/** What a sender writes as a command's data. */
export type CommandInputData<C, N> = InputIn<Section<C, "commands">, N>;
/** What a command handler receives as data. */
export type CommandData<C, N> = OutputIn<Section<C, "commands">, N>;
/** Query names a bus accepts. */
export type QueryName<C> = NameIn<Section<C, "queries">>;
/** What a caller passes as a query's payload. */
export type QueryInputPayload<C, N> = InputIn<Section<C, "queries">, N>;
/** What a query handler receives. */
export type QueryPayload<C, N> = OutputIn<Section<C, "queries">, N>;
/** Event names a bus accepts. */
export type EventName<C> = NameIn<Section<C, "events">>;
/** What a publisher writes as an event's data. */
export type EventInputData<C, N> = InputIn<Section<C, "events">, N>;
/** What a subscriber receives as data. */
export type EventData<C, N> = OutputIn<Section<C, "events">, N>;
