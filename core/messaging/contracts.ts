/**
 * Message contracts: a schema per command, query and event name, from any
 * Standard Schema v1 library (Effect Schema, Zod, Valibot, ArkType), and the
 * TypeScript types a bus infers from them. Senders write a schema's input
 * type; handlers receive its output type.
 *
 * @module
 */

import type { MessageShape } from "../message.ts";
import type { InferInput, InferOutput, StandardSchemaV1 } from "./standard_schema.ts";
import type { ReceivedMessage } from "./transport.ts";

/** Schemas by message name. */
export type SchemaMap = Readonly<Record<string, StandardSchemaV1>>;

/**
 * The contracts of a bus. A section that is given is a closed list: names
 * outside it are refused at the sender. A section left out accepts any name
 * and any JSON data.
 */
export interface BusContracts {
  /** Schemas by command name: checked at `send`, typed for senders and handlers. */
  readonly commands?: SchemaMap;
  /** Schemas by query name: payloads checked at `query`, typed for callers and handlers. */
  readonly queries?: SchemaMap;
  /** Schemas by event name: checked at `publish`, typed for publishers and subscribers. */
  readonly events?: SchemaMap;
}

/**
 * Contracts given as types only, from unions of `{ type, data }` shapes (the
 * same unions that type a store): `createBus<MessageTypes<{ events: OrderEvent }>>({ transport })`.
 * Names and data are checked by the compiler, nothing at run time; a
 * section left out accepts any name, as without contracts.
 *
 * @example
 * ```ts
 * import { createBus, createInProcessTransport, type MessageTypes } from "../../mod.ts";
 * type OrderEvent = { type: "orders/placed"; data: { orderId: string } };
 * const bus = createBus<MessageTypes<{ events: OrderEvent }>>({ transport: createInProcessTransport() });
 * bus.subscribe("billing", ["orders/placed"], (event) => console.log(event.data.orderId));
 * await bus.close();
 * ```
 */
export type MessageTypes<
  S extends {
    readonly commands?: MessageShape;
    readonly queries?: MessageShape;
    readonly events?: MessageShape;
  },
> = { readonly [K in keyof S]-?: SchemasOf<Exclude<S[K], undefined>> };

/** A schema map, as types only, from a union of shapes: one entry per type name, typed by its data. */
export type SchemasOf<U> = U extends MessageShape ? {
    readonly [N in U["type"]]: StandardSchemaV1<Extract<U, { readonly type: N }>["data"]>;
  }
  : never;

/**
 * An event as a subscriber to names `N` receives it: a union over the names,
 * so that `event.type` narrows `event.data`.
 */
export type ReceivedEvent<C, N extends string> = N extends string
  ? ReceivedMessage<N, EventData<C, N>>
  : never;

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

// Each type below reads one section of the contracts `C`: a section that is
// given narrows names to its keys and data to its schemas' types; one left
// out allows any name (`string`) and any data (`unknown`).

/** Command names a bus accepts. */
export type CommandName<C> = C extends { readonly commands: infer M }
  ? (M extends SchemaMap ? keyof M & string : string)
  : string;
/** What a sender writes as a command's data. */
export type CommandInputData<C, N> = C extends { readonly commands: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferInput<M[N]> : never) : unknown)
  : unknown;
/** What a command handler receives as data. */
export type CommandData<C, N> = C extends { readonly commands: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferOutput<M[N]> : never) : unknown)
  : unknown;
/** Query names a bus accepts. */
export type QueryName<C> = C extends { readonly queries: infer M }
  ? (M extends SchemaMap ? keyof M & string : string)
  : string;
/** What a caller passes as a query's payload. */
export type QueryInputPayload<C, N> = C extends { readonly queries: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferInput<M[N]> : never) : unknown)
  : unknown;
/** What a query handler receives. */
export type QueryPayload<C, N> = C extends { readonly queries: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferOutput<M[N]> : never) : unknown)
  : unknown;
/** Event names a bus accepts. */
export type EventName<C> = C extends { readonly events: infer M }
  ? (M extends SchemaMap ? keyof M & string : string)
  : string;
/** What a publisher writes as an event's data. */
export type EventInputData<C, N> = C extends { readonly events: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferInput<M[N]> : never) : unknown)
  : unknown;
/** What a subscriber receives as data. */
export type EventData<C, N> = C extends { readonly events: infer M }
  ? (M extends SchemaMap ? (N extends keyof M ? InferOutput<M[N]> : never) : unknown)
  : unknown;
