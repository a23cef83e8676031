// One run of the cluster fault scenario: writers append to streams of their
// own (retrying a failed append with the same ids, as the store allows), a
// consumer group on NATS key-value storage projects every message into a
// key-value read model, and meanwhile the leader of the store's stream is
// SIGKILLed, and started again later. The run returns what happened; the
// test asserts on it.
import { headers } from "@nats-io/transport-node";
import type { NatsConnection } from "@nats-io/nats-core";
import { createGroupConsumer } from "../../core/consumers/mod.ts";
import {
  type AppendResult,
  type MessageInput,
  type RecordedMessage,
  StoreUnavailableError,
} from "../../core/mod.ts";
import {
  createNatsConsumerStorage,
  createNatsStore,
  type KvBucket,
  type NatsEventStore,
} from "../../stores/nats/mod.ts";
import { JetStreamApi } from "../../stores/nats/jetstream/mod.ts";
import type { NatsServer } from "../_nats_server.ts";
import { freshNames } from "./_nats_fixtures.ts";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** What one run saw. */
export interface FaultRun {
  readonly killed: string;
  /** Milliseconds from the kill to the end of the longest pause in acknowledgements after it. */
  readonly resumedAfter: number;
  /** That pause, in milliseconds. */
  readonly longestGap: number;
  readonly acknowledged: number;
  /** Appends retried after a failure, and how many of those were already stored. */
  readonly retried: number;
  readonly retriedAndDeduplicated: number;
  /** Failures by message, as the writers saw them. */
  readonly failures: ReadonlyMap<string, number>;
  /** What each writer had acknowledged, in order: stream -> message ids. */
  readonly acked: ReadonlyMap<string, readonly string[]>;
  /** Everything in the store afterwards. */
  readonly stored: readonly RecordedMessage[];
  /** The read model afterwards: stream -> last version projected. */
  readonly readModel: ReadonlyMap<string, number>;
  /** When the read model did not converge: the group's state, for the failure message. */
  readonly diagnosis?: string;
  /** Failures the consumer group reported, by phase and message. */
  readonly consumerErrors: ReadonlyMap<string, number>;
  /** Versions each stream's messages were handled in (redeliveries included). */
  readonly handled: ReadonlyMap<string, readonly number[]>;
}

/** Waits until JetStream answers on the cluster and can make R3 streams. */
export async function waitForJetStream(nc: NatsConnection, timeout = 30_000): Promise<void> {
  const api = new JetStreamApi({ connection: nc, headers });
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      await api.request("INFO", undefined, 2000);
      return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(200);
    }
  }
}

async function retrying<T>(body: () => Promise<T>, timeout = 60_000): Promise<T> {
  const deadline = Date.now() + timeout;
  for (;;) {
    try {
      return await body();
    } catch (error) {
      if (Date.now() > deadline) throw error;
      await sleep(250);
    }
  }
}

/** The server holding the leader of a stream, by its name. */
async function leaderOf(nc: NatsConnection, stream: string): Promise<string> {
  const api = new JetStreamApi({ connection: nc, headers });
  const info = await api.request(`STREAM.INFO.${stream}`);
  return (info.cluster as { leader: string }).leader;
}

/** Runs the scenario once on `cluster`, with fresh streams and buckets. */
export async function runFault(cluster: NatsServer, nc: NatsConnection): Promise<FaultRun> {
  const names = freshNames();
  const store = createNatsStore(nc, { headers, ...names, replicas: 3, timeout: 2000 });
  const own = `group_${names.subjectPrefix}`;
  const modelBucket = `model_${names.subjectPrefix}`;
  const storage = createNatsConsumerStorage(nc, {
    headers,
    bucket: own,
    buckets: [modelBucket],
    replicas: 3,
    timeout: 2000,
  });
  await retrying(() => store.setup());
  await retrying(() => storage.setup());
  const group = projector(store, storage, modelBucket);
  const writing = { stop: false };
  const report = await write(store, writing, async () => {
    await sleep(1500);
    const killed = await leaderOf(nc, store.stream);
    const node = cluster.nodes.find((n) => n.name === killed)!;
    const at = performance.now();
    await node.kill();
    await sleep(8000);
    await node.start();
    await sleep(3000);
    writing.stop = true;
    return { killed, at };
  });
  // The group catches up with everything stored.
  const stored = await retrying(() => readAllOf(store));
  const last = new Map<string, number>();
  for (const m of stored) last.set(m.streamName, m.streamVersion);
  const readModel = await converge(storage.bucket(modelBucket), last);
  const converged = [...last].every(([stream, version]) => readModel.get(stream) === version);
  const diagnosis = converged ? undefined : JSON.stringify({
    owned: group.members.map((m) => m.ownedPartitions()),
    checkpoints: await Promise.all(
      [0, 1, 2, 3].map((p) => storage.checkpoints.load("projector", p).then(String, String)),
    ),
    entries: (await storage.bucket(own).entries().catch(() => []))
      .filter((e) => e.key.startsWith("cp.") || e.key.startsWith("ls."))
      .map((e) => `${e.key}@${e.revision}=${e.value.slice(0, 120)}`),
    last: Object.fromEntries(last),
    readModel: Object.fromEntries(readModel),
  });
  await Promise.all(group.members.map((m) => m.stop()));
  storage.close();
  await store.close();
  const { handled, consumerErrors } = group;
  return { ...report, stored, readModel, handled, consumerErrors, diagnosis };
}

// Two members of a group (4 partitions) projecting each stream's last version into `modelBucket`.
function projector(
  store: NatsEventStore,
  storage: ReturnType<typeof createNatsConsumerStorage>,
  modelBucket: string,
) {
  const handled = new Map<string, number[]>();
  const consumerErrors = new Map<string, number>();
  const members = [0, 1].map((m) =>
    createGroupConsumer(store, {
      group: "projector",
      member: `member-${m}`,
      source: { category: "acct" },
      partitions: 4,
      storage,
      leaseTtl: 3000,
      commit: "page",
      retry: { initialDelay: 50, maxDelay: 1000 },
      onError: (error, context) => {
        const text = `${context.phase}: ${(error as Error).name}: ${(error as Error).message}`;
        consumerErrors.set(text, (consumerErrors.get(text) ?? 0) + 1);
      },
      handler: (message, { tx }) => {
        const versions = handled.get(message.streamName) ?? [];
        versions.push(message.streamVersion);
        handled.set(message.streamName, versions);
        tx.put(modelBucket, message.streamName, message.streamVersion);
      },
    })
  );
  return { members, handled, consumerErrors };
}

// The read model once it holds every stream's last version, or after a minute.
async function converge(
  bucket: KvBucket,
  last: ReadonlyMap<string, number>,
): Promise<Map<string, number>> {
  const readModel = new Map<string, number>();
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    readModel.clear();
    for (const entry of await retrying(() => bucket.entries())) {
      readModel.set(entry.key, JSON.parse(entry.value));
    }
    if ([...last].every(([stream, version]) => readModel.get(stream) === version)) break;
    await sleep(200);
  }
  return readModel;
}

function readAllOf(store: NatsEventStore): Promise<RecordedMessage[]> {
  return store.readAll().toArray();
}

// Four writers, each appending batches of 1 to 3 to a stream of its own until stopped.
async function write(
  store: NatsEventStore,
  writing: { stop: boolean },
  fault: () => Promise<{ killed: string; at: number }>,
) {
  const acked = new Map<string, string[]>();
  const ackTimes: number[] = [];
  const failures = new Map<string, number>();
  let retried = 0;
  let retriedAndDeduplicated = 0;
  const writer = async (w: number) => {
    const stream = `acct-${w}`;
    const ids: string[] = [];
    acked.set(stream, ids);
    for (let n = 0; !writing.stop; n++) {
      const batch: MessageInput[] = Array.from({ length: 1 + (n % 3) }, (_, k) => ({
        id: crypto.randomUUID(),
        type: "Deposited",
        data: { n, k },
      }));
      let result: AppendResult | undefined;
      for (let attempt = 0; result === undefined; attempt++) {
        try {
          result = await store.append(stream, batch, {
            expectedVersion: ids.length === 0 ? "no-stream" : ids.length - 1,
          });
          if (attempt > 0) retried++;
          if (attempt > 0 && result.deduplicated) retriedAndDeduplicated++;
        } catch (error) {
          const text = error instanceof StoreUnavailableError
            ? error.message
            : `${(error as Error).name}: ${(error as Error).message}`;
          failures.set(text, (failures.get(text) ?? 0) + 1);
          if (!(error instanceof StoreUnavailableError)) throw error;
          await sleep(100);
        }
      }
      ackTimes.push(performance.now());
      ids.push(...batch.map((m) => m.id!));
    }
  };
  const [{ killed, at }] = await Promise.all([fault(), ...[0, 1, 2, 3].map(writer)]);
  ackTimes.sort((a, b) => a - b);
  // The outage: the longest pause between acknowledgements from the kill on
  // (a few appends in flight at the kill may still be acknowledged at once).
  let longestGap = 0;
  let resumedAt = Infinity;
  for (let i = 1; i < ackTimes.length; i++) {
    const gap = ackTimes[i] - ackTimes[i - 1];
    if (ackTimes[i] > at && gap > longestGap) {
      longestGap = gap;
      resumedAt = ackTimes[i];
    }
  }
  return {
    killed,
    resumedAfter: resumedAt - at,
    longestGap,
    acknowledged: ackTimes.length,
    retried,
    retriedAndDeduplicated,
    failures,
    acked,
  };
}
