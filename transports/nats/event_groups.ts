/**
 * The NATS transport's event groups as seen from outside its processes. A
 * `bus.subscribe` group keeps no checkpoint in the consumer storage: its
 * position is the ack floor of its durable JetStream consumer on the store's
 * stream (`evt_<group>`, see `_events.ts`), which this reads, with its source
 * (the consumer's subject filter: a category, or the whole store when the
 * group picks event names, which are matched in the process) and whether a
 * process pulls from it now. `ordo consumers` and `ordo status` list them
 * beside the storage's consumers.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import type { ConsumerSource } from "../../core/mod.ts";
import { type HeadersFactory, toGlobalPosition } from "../../stores/nats/mod.ts";
import { fromToken, JetStreamApi, validateDriver } from "../../stores/nats/jetstream/mod.ts";

/** One event group of the transport, read from its durable consumer. */
export interface NatsEventGroup {
  /** The group's name, as given to `bus.subscribe`. */
  readonly group: string;
  /** Its durable consumer's name on the store's stream (`evt_<group>`). */
  readonly durable: string;
  /** Its subject filter as a source: a category, or `{ all: true }`. */
  readonly source: ConsumerSource;
  /** Where its next delivery starts: past the last record every message of which it acknowledged. */
  readonly position: bigint;
  /** ISO 8601, when its durable consumer was made. */
  readonly createdAt: string;
  /** Whether a process is pulling from it now (a pull request waits on the server, or a delivery awaits its ack). */
  readonly pulling: boolean;
}

interface ConsumerInfo {
  readonly name: string;
  readonly created?: string;
  readonly config?: { readonly filter_subject?: string };
  readonly ack_floor?: { readonly stream_seq?: number };
  readonly num_waiting?: number;
  readonly num_ack_pending?: number;
}

interface ConsumerList {
  readonly total?: number;
  readonly consumers?: readonly ConsumerInfo[] | null;
}

/** Options of {@link listNatsEventGroups}: the store the transport publishes into. */
export interface ListNatsEventGroupsOptions {
  /** The headers factory of the caller's `@nats-io` package. */
  readonly headers: HeadersFactory;
  /** The store's stream (`NatsEventStore.stream`). */
  readonly stream: string;
  /** The store's subject prefix (`NatsEventStore.subjectPrefix`). */
  readonly subjectPrefix: string;
  /** The JetStream API prefix. Default `"$JS.API"`. */
  readonly apiPrefix?: string;
}

/**
 * The event groups of the transport over the store `stream` with subjects
 * under `subjectPrefix`, sorted by name (the server answers 256 consumers a
 * page; every page is read).
 *
 * @throws {ValidationError} when `connection` is not a NATS connection
 * @example
 * ```ts ignore
 * import { connect, headers } from "@nats-io/transport-node";
 * import { listNatsEventGroups } from "./event_groups.ts";
 * const nc = await connect();
 * const groups = await listNatsEventGroups(nc, { headers, stream: "ORDO", subjectPrefix: "ordo" });
 * ```
 */
export async function listNatsEventGroups(
  connection: NatsConnection,
  options: ListNatsEventGroupsOptions,
): Promise<NatsEventGroup[]> {
  const api = new JetStreamApi(validateDriver(connection, options.headers), {
    prefix: options.apiPrefix,
  });
  try {
    return await list(api, options);
  } finally {
    api.close();
  }
}

async function list(
  api: JetStreamApi,
  store: { readonly stream: string; readonly subjectPrefix: string },
): Promise<NatsEventGroup[]> {
  const groups: NatsEventGroup[] = [];
  for (let offset = 0;;) {
    const page = await api.request(`CONSUMER.LIST.${store.stream}`, { offset }) as ConsumerList;
    const consumers = page.consumers ?? [];
    for (const info of consumers) {
      if (!info.name.startsWith("evt_")) continue;
      groups.push({
        group: fromToken(info.name.slice(4)),
        durable: info.name,
        source: sourceOf(info.config?.filter_subject, store.subjectPrefix),
        position: toGlobalPosition((info.ack_floor?.stream_seq ?? 0) + 1, 0),
        createdAt: info.created ?? new Date(0).toISOString(),
        // A loop busy with a message has no pull waiting: the unacknowledged delivery says it runs.
        pulling: (info.num_waiting ?? 0) > 0 || (info.num_ack_pending ?? 0) > 0,
      });
    }
    offset += consumers.length;
    if (consumers.length === 0 || offset >= (page.total ?? 0)) break;
  }
  return groups.sort((a, b) => (a.group < b.group ? -1 : a.group > b.group ? 1 : 0));
}

// `<prefix>.<category>.*` is a category's filter (storeSubjects); anything else reads the store.
function sourceOf(filter: string | undefined, prefix: string): ConsumerSource {
  const head = `${prefix}.`;
  if (filter === undefined || !filter.startsWith(head) || !filter.endsWith(".*")) {
    return { all: true };
  }
  return { category: fromToken(filter.slice(head.length, -2)) };
}
