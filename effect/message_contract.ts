/**
 * Message contracts written as Effect Schema: the type name, the schema of
 * the data, its current version, and upcasters that lift data written under
 * older versions. Writers encode with {@link MessageContract.make} (which
 * stamps `metadata.schemaVersion`); readers decode with
 * {@link MessageContract.decode}, which upcasts an older message first.
 *
 * @module
 */

import { Effect, Schema } from "effect";
import {
  type JsonValue,
  type MessageInput,
  type MessageMetadata,
  type RecordedMessage,
  ValidationError,
} from "../core/mod.ts";

/** Lifts data of version `n` (its key) to version `n + 1`. Works on encoded (JSON) data. */
export type Upcaster = (data: JsonValue) => JsonValue;

/** Options of {@link defineMessage}. */
export interface DefineMessageOptions {
  /** The schema's current version, a positive integer. Default 1. */
  readonly version?: number;
  /**
   * One upcaster per older version: `{ 1: (v1) => v2, 2: (v2) => v3 }`. A
   * message stored without `metadata.schemaVersion` counts as version 1.
   */
  readonly upcasters?: Readonly<Record<number, Upcaster>>;
}

/** A message type with its Effect Schema and versions. */
export interface MessageContract<Type extends string, A, I> {
  /** The message type, the `type` of every message made or decoded. */
  readonly type: Type;
  /** The current schema version, stored as `metadata.schemaVersion` by {@link MessageContract.make}. */
  readonly version: number;
  /** Encodes data for the store and decodes it after upcasting. */
  readonly schema: Schema.Codec<A, I>;
  /**
   * A message ready to append: data encoded with the schema, metadata with
   * `schemaVersion` set to {@link version}.
   *
   * Fails with `ValidationError` when the data does not fit the schema.
   */
  make(
    data: A,
    options?: { readonly id?: string; readonly metadata?: MessageMetadata },
  ): Effect.Effect<MessageInput<Type, JsonValue>, ValidationError>;
  /**
   * The message with its data upcast to the current version and decoded.
   *
   * Fails with `ValidationError` when the type differs, the version is newer
   * than this contract's or has no upcaster, or the data does not fit.
   */
  decode(message: RecordedMessage): Effect.Effect<RecordedMessage<Type, A>, ValidationError>;
  /** Whether a message is of this contract's type (whatever its version). */
  is(message: RecordedMessage): boolean;
}

/**
 * Defines a message contract.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect";
 * import { defineMessage } from "./mod.ts";
 * // v1 had { amount }, v2 has { total, currency }
 * const OrderPlaced = defineMessage("OrderPlaced", Schema.Struct({ total: Schema.Number, currency: Schema.String }), {
 *   version: 2,
 *   upcasters: { 1: (v1) => ({ total: (v1 as { amount: number }).amount, currency: "EUR" }) },
 * });
 * const input = await Effect.runPromise(OrderPlaced.make({ total: 3, currency: "EUR" }));
 * console.log(input.metadata?.schemaVersion); // 2
 * ```
 */
export function defineMessage<const Type extends string, A, I>(
  type: Type,
  schema: Schema.Codec<A, I>,
  options: DefineMessageOptions = {},
): MessageContract<Type, A, I> {
  const version = options.version ?? 1;
  if (!Number.isInteger(version) || version < 1) {
    throw new ValidationError("options.version", version, "must be a positive integer");
  }
  const upcasters = options.upcasters ?? {};
  for (let v = 1; v < version; v++) {
    if (typeof upcasters[v] !== "function") {
      throw new ValidationError(
        `options.upcasters[${v}]`,
        upcasters[v],
        `must be a function from version ${v} to ${v + 1}`,
      );
    }
  }
  const encode = Schema.encodeEffect(schema as Schema.Codec<A, I, never, never>);
  const decodeData = Schema.decodeUnknownEffect(schema as Schema.Codec<A, I, never, never>);

  return {
    type,
    version,
    schema,
    is: (message) => message.type === type,
    make: (data, makeOptions) =>
      encode(data).pipe(
        Effect.mapError((error) =>
          new ValidationError(`${type} data`, data, error.message, { cause: error })
        ),
        Effect.map((encoded) => ({
          ...(makeOptions?.id === undefined ? {} : { id: makeOptions.id }),
          type,
          data: encoded as JsonValue,
          metadata: { ...makeOptions?.metadata, schemaVersion: version },
        })),
      ),
    decode: (message) =>
      Effect.gen(function* () {
        const where = `message "${message.id}" (${message.streamName}@${message.streamVersion})`;
        if (message.type !== type) {
          return yield* Effect.fail(
            new ValidationError(`${where} type`, message.type, `expected "${type}"`),
          );
        }
        const stored = message.metadata.schemaVersion ?? 1;
        if (!Number.isInteger(stored) || stored < 1 || stored > version) {
          return yield* Effect.fail(
            new ValidationError(
              `${where} metadata.schemaVersion`,
              stored,
              `expected an integer from 1 to ${version}`,
            ),
          );
        }
        let data = message.data;
        for (let v = stored; v < version; v++) data = upcasters[v](data);
        const decoded = yield* decodeData(data).pipe(
          Effect.mapError((error) =>
            new ValidationError(`${where} data`, data, error.message, { cause: error })
          ),
        );
        return {
          ...message,
          type,
          data: decoded,
          metadata: { ...message.metadata, schemaVersion: version },
        };
      }),
  };
}
