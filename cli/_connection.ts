/**
 * What a command gets when it opens the store: the store, its consumer
 * storage and what differs between PostgreSQL (and PGlite) and NATS.
 *
 * @module
 */

import type { NatsEventGroupLister } from "../admin/mod.ts";
import type { ConsumerStorage, EventStore } from "../core/mod.ts";
import type { Row } from "../stores/postgres/mod.ts";

/** A store with the browsing calls operators' tools read (PostgreSQL's, PGlite's, NATS's). */
export type BrowsableStore =
  & EventStore
  & Required<Pick<EventStore, "listStreams" | "listCategories" | "countMessages" | "getMessage">>;

/** An open store and its consumer storage. */
export interface Connection {
  /** Which kind of store: messages and `migrate` differ. */
  readonly kind: "postgresql" | "nats";
  readonly store: BrowsableStore;
  /** Creates or updates the store's schema (PostgreSQL) or streams and bucket (NATS). */
  readonly migrate: () => Promise<void>;
  readonly storage: ConsumerStorage<unknown>;
  /**
   * On NATS, the NATS transport's `bus.subscribe` groups, which keep their
   * positions in durable JetStream consumers: passed to `inspectConsumers`
   * and the replay requests, which list them beside the storage's groups
   * and refuse their replays.
   */
  readonly natsEventGroups?: NatsEventGroupLister;
  /** Runs one statement on the same database (for migrate's version, a projection's reset). */
  readonly query: (text: string, params?: readonly unknown[]) => Promise<Row[]>;
  /** The PostgreSQL schema, or the NATS store's stream. */
  readonly schema: string;
  /** On NATS, the store's other names (its stream is `schema`). */
  readonly nats?: { readonly subjectPrefix: string; readonly bucket: string };
  /** The database, for messages: the URL without its password, or the PGlite directory. */
  readonly where: string;
  close(): Promise<void>;
}
