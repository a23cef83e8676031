/**
 * Stream names in EventStoreDB for an ordo store, with an optional namespace.
 *
 * Without a namespace an ordo stream `order-1` is the EventStoreDB stream
 * `order-1`. With namespace `shop` it is `shop/order-1`: the namespace holds
 * no `/` and ordo categories cannot hold one, so the first `/` always ends the
 * namespace, and two namespaces never see each other's streams (`a` does not
 * see `a_b/order-1`). The store reads and counts only streams of its namespace.
 *
 * Each message id also gets an index stream, `ordo#id-<id>` (namespaced the
 * same way), which records where the message is stored; `#` cannot appear in an
 * ordo category, so no ordo read ever returns these.
 *
 * @module
 */

import { parseStreamName, ValidationError } from "../../core/mod.ts";

const NAMESPACE = /^[A-Za-z0-9_.:]{1,100}$/;

/**
 * Checks a namespace: 1 to 100 letters, digits, `_`, `.` or `:`.
 *
 * @throws {ValidationError} at `options.namespace`
 * @example
 * ```ts
 * import { validateNamespace } from "./stream_names.ts";
 * validateNamespace("shop"); // "shop"
 * ```
 */
export function validateNamespace(namespace: unknown): string | undefined {
  if (namespace === undefined) return undefined;
  if (typeof namespace !== "string" || !NAMESPACE.test(namespace)) {
    throw new ValidationError(
      "options.namespace",
      namespace,
      "a namespace is 1 to 100 letters, digits, _, . or :",
    );
  }
  return namespace;
}

/** How one store names its streams in EventStoreDB. */
export interface StreamNaming {
  /** `"shop/"` for namespace `shop`, `""` without one. */
  readonly prefix: string;
}

/**
 * The naming of a store with this (checked) namespace.
 *
 * @example
 * ```ts
 * import { streamNaming } from "./stream_names.ts";
 * streamNaming("shop").prefix; // "shop/"
 * ```
 */
export function streamNaming(namespace: string | undefined): StreamNaming {
  return { prefix: namespace === undefined ? "" : `${namespace}/` };
}

/**
 * The EventStoreDB stream of an ordo stream.
 *
 * @example
 * ```ts
 * import { streamNaming, toEventStoreStream } from "./stream_names.ts";
 * toEventStoreStream(streamNaming("shop"), "order-1"); // "shop/order-1"
 * ```
 */
export function toEventStoreStream(naming: StreamNaming, streamName: string): string {
  return naming.prefix + streamName;
}

/**
 * The ordo stream of an EventStoreDB stream; `undefined` for streams outside
 * the namespace, system streams (`$…`), id index streams and any name that is
 * not `category-id`.
 *
 * @example
 * ```ts
 * import { fromEventStoreStream, streamNaming } from "./stream_names.ts";
 * fromEventStoreStream(streamNaming("shop"), "shop/order-1"); // "order-1"
 * fromEventStoreStream(streamNaming("shop"), "order-1"); // undefined
 * ```
 */
export function fromEventStoreStream(
  naming: StreamNaming,
  eventStoreStream: string,
): string | undefined {
  if (!eventStoreStream.startsWith(naming.prefix)) return undefined;
  const name = eventStoreStream.slice(naming.prefix.length);
  try {
    parseStreamName(name);
  } catch {
    return undefined;
  }
  return name;
}

/**
 * The index stream that records where the message with this id is stored.
 *
 * @example
 * ```ts
 * import { idIndexStream, streamNaming } from "./stream_names.ts";
 * idIndexStream(streamNaming(undefined), "7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a");
 * // "ordo#id-7a0c6f1e-0f6b-4a8e-9a51-1f1d0c1e2b3a"
 * ```
 */
export function idIndexStream(naming: StreamNaming, id: string): string {
  return `${naming.prefix}ordo#id-${id}`;
}
