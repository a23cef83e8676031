/**
 * How ordo names become NATS subjects. An ordo stream is one subject,
 * `<prefix>.<category>.<id>`, so that JetStream's per-subject checks
 * (`Nats-Expected-Last-Subject-Sequence`) are per-stream checks and a category
 * is the subject filter `<prefix>.<category>.*`. Categories may hold `.` and
 * ids almost anything, so each part is escaped into one token (`toToken`:
 * `order.v2` becomes `order~2Ev2`).
 *
 * @module
 */

import { fromToken, toToken } from "./jetstream/mod.ts";

/** The subjects one store uses, from its prefix. */
export interface StoreSubjects {
  /** Every message of the store: `<prefix>.>`. */
  readonly all: string;
  /** The subject of one ordo stream (a valid stream name). */
  stream(streamName: string): string;
  /** The filter of one category (a valid category). */
  category(category: string): string;
  /** The ordo stream a message subject belongs to; `undefined` for a subject of another shape. */
  streamOf(subject: string): string | undefined;
  /** The subject of a message id's index entry. */
  idEntry(id: string): string;
  /** Every index entry: `<prefix>_ids.>`. */
  readonly allIds: string;
}

/**
 * The subjects of a store whose prefix is `prefix`.
 *
 * @example
 * ```ts
 * import { storeSubjects } from "./subjects.ts";
 * const subjects = storeSubjects("ordo");
 * subjects.stream("order-5f1c"); // "ordo.order.5f1c"
 * subjects.category("order"); // "ordo.order.*"
 * ```
 */
export function storeSubjects(prefix: string): StoreSubjects {
  const depth = prefix.split(".").length;
  return {
    all: `${prefix}.>`,
    allIds: `${prefix}_ids.>`,
    stream(streamName) {
      const dash = streamName.indexOf("-");
      return `${prefix}.${toToken(streamName.slice(0, dash))}.${
        toToken(streamName.slice(dash + 1))
      }`;
    },
    category: (category) => `${prefix}.${toToken(category)}.*`,
    streamOf(subject) {
      const tokens = subject.split(".");
      if (tokens.length !== depth + 2) return undefined;
      return `${fromToken(tokens[depth])}-${fromToken(tokens[depth + 1])}`;
    },
    idEntry: (id) => `${prefix}_ids.${id}`,
  };
}
