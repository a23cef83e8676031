/**
 * fast-check properties for a user's projection: redelivered messages,
 * crashes and restarts at any point, and any interleaving of different
 * streams must all give the read model one clean pass gives.
 *
 * @module
 */

import type * as FastCheckModule from "fast-check";
import { createConsumer } from "../core/consumers/mod.ts";
import type { ConsumerStorage } from "../core/consumers/mod.ts";
import type { JsonValue, MessageMetadata, RecordedMessage } from "../mod.ts";
import { createMemoryStore } from "../mod.ts";
import { createMemoryConsumerStorage, type MemoryTransaction } from "../stores/memory/mod.ts";
import { viewText } from "./_view_text.ts";

/** The parts of fast-check the checks use: pass `fc` from your own `import fc from "fast-check"`. */
export type FastCheck = Pick<
  typeof FastCheckModule,
  "assert" | "asyncProperty" | "infiniteStream" | "nat"
>;

/** A projection under test: a read model and the handler that folds messages into it. */
export interface ProjectionUnderTest<Model> {
  /** A fresh, empty read model. */
  init(): Model;
  /** Applies one message. It is called again with messages it has already seen (delivery is at least once). */
  apply(model: Model, message: RecordedMessage): void | Promise<void>;
  /** What to compare; default the model itself. Maps, Sets and object keys compare regardless of order. */
  view?(model: Model): unknown;
}

/** One event of a generated history. */
export interface HistoryEvent {
  /** Stream it is appended to; events of one stream keep their order in every check. */
  readonly streamName: string;
  /** Message type the projection receives (`OrderPlaced`). */
  readonly type: string;
  /** Message data the projection receives, as a JSON copy. */
  readonly data: JsonValue;
  /** Metadata it is stored with; the store adds `timestamp`. */
  readonly metadata?: MessageMetadata;
}

/** Which checks run; each defaults to true. */
export interface ProjectionChecks {
  /** Messages delivered again: immediately, or a run of recent ones after a lost checkpoint. */
  readonly duplicates?: boolean;
  /** The project's consumer crashing between the handler and its checkpoint, failing, and restarting. */
  readonly crashes?: boolean;
  /** Other orders across streams, each stream's own order kept (what partitions of a consumer group do). */
  readonly interleavings?: boolean;
}

/** Options of {@link checkProjection}. */
export interface CheckProjectionOptions<Model> {
  /** The read model and handler to check. */
  readonly projection: ProjectionUnderTest<Model>;
  /** Histories to try, in append order. Keep them small: tens of events. */
  readonly events: FastCheckModule.Arbitrary<readonly HistoryEvent[]>;
  /** Which checks run; all of them by default. */
  readonly checks?: ProjectionChecks;
  /** fast-check parameters (`numRuns`, `seed` to replay a failure, …). */
  readonly parameters?: FastCheckModule.Parameters<unknown>;
}

/**
 * Runs the checks and rejects with fast-check's report (seed, shrunk history,
 * and the two views that differ) when one fails. `fc` is passed in so that
 * this module loads from a URL without fast-check installed beside it.
 *
 * @example
 * ```ts
 * import fc from "fast-check";
 * import { checkProjection } from "./check_projection.ts";
 * await checkProjection(fc, {
 *   projection: {
 *     init: () => new Map<string, number>(),
 *     apply: (totals, m) => void totals.set(m.streamName, (m.data as { total: number }).total),
 *   },
 *   events: fc.array(fc.record({ streamName: fc.constantFrom("order-1", "order-2"), type: fc.constant("Placed"), data: fc.record({ total: fc.nat() }) })),
 * });
 * ```
 */
export async function checkProjection<Model>(
  fc: FastCheck,
  options: CheckProjectionOptions<Model>,
): Promise<void> {
  const { projection, checks = {} } = options;
  const property = fc.asyncProperty(
    options.events,
    fc.infiniteStream(fc.nat(99)),
    async (events, dice) => {
      const messages = await record(events);
      const expected = await fold(projection, messages);
      const roll = () => dice.next().value;
      if (checks.duplicates !== false) {
        compare(
          "duplicated deliveries",
          expected,
          await fold(projection, withRedeliveries(messages, roll)),
        );
      }
      if (checks.interleavings !== false) {
        compare(
          "another interleaving of streams",
          expected,
          await fold(projection, interleaved(messages, roll)),
        );
      }
      if (checks.crashes !== false) {
        compare(
          "crashes and restarts of a consumer",
          expected,
          await throughCrashingConsumer(projection, messages, roll),
        );
      }
    },
  );
  await fc.assert(property, options.parameters);
}

// The events as a store records them: ids, versions and positions filled in.
async function record(events: readonly HistoryEvent[]): Promise<RecordedMessage[]> {
  const store = createMemoryStore();
  for (const e of events) {
    await store.append(e.streamName, [
      e.metadata === undefined
        ? { type: e.type, data: e.data }
        : { type: e.type, data: e.data, metadata: e.metadata },
    ]);
  }
  return await store.readAll({ limit: 100_000 }).toArray();
}

async function fold<Model>(
  projection: ProjectionUnderTest<Model>,
  messages: readonly RecordedMessage[],
): Promise<string> {
  const model = projection.init();
  for (const m of messages) await projection.apply(model, m);
  return viewOf(projection, model);
}

function viewOf<Model>(projection: ProjectionUnderTest<Model>, model: Model): string {
  return viewText(projection.view === undefined ? model : projection.view(model));
}

function compare(what: string, expected: string, actual: string): void {
  if (expected !== actual) {
    throw new Error(
      `The read model after ${what} differs from one clean pass:\n  clean: ${expected}\n  got:   ${actual}`,
    );
  }
}

// At-least-once as it happens: a message again at once, or the last few again
// (a checkpoint that was not saved), never a message before an older one of its stream is done.
function withRedeliveries(
  messages: readonly RecordedMessage[],
  roll: () => number,
): RecordedMessage[] {
  const out: RecordedMessage[] = [];
  for (let i = 0; i < messages.length; i++) {
    out.push(messages[i]);
    const r = roll();
    if (r < 15) out.push(messages[i]);
    else if (r < 30) out.push(...messages.slice(Math.max(0, i - (r % 4)), i + 1));
  }
  return out;
}

// A random merge of the streams that keeps each stream's order.
function interleaved(messages: readonly RecordedMessage[], roll: () => number): RecordedMessage[] {
  const queues = new Map<string, RecordedMessage[]>();
  for (const m of messages) queues.set(m.streamName, [...(queues.get(m.streamName) ?? []), m]);
  const out: RecordedMessage[] = [];
  while (queues.size > 0) {
    const names = [...queues.keys()];
    const name = names[roll() % names.length];
    const queue = queues.get(name)!;
    out.push(queue.shift()!);
    if (queue.length === 0) queues.delete(name);
  }
  return out;
}

// The project's own consumer, with the read model kept outside the storage's
// transaction (as an outside database would be): commits that fail after the
// handler ran, handler failures, and restarts at random messages.
async function throughCrashingConsumer<Model>(
  projection: ProjectionUnderTest<Model>,
  messages: readonly RecordedMessage[],
  roll: () => number,
): Promise<string> {
  const store = createMemoryStore();
  for (const m of messages) {
    await store.append(m.streamName, [{
      id: m.id,
      type: m.type,
      data: m.data,
      metadata: m.metadata,
    }]);
  }
  const inner = createMemoryConsumerStorage();
  let crashNext = false;
  const storage: ConsumerStorage<MemoryTransaction> = {
    ...inner,
    checkpoints: {
      load: (group, partition) => inner.checkpoints.load(group, partition),
      reset: (group) => inner.checkpoints.reset(group),
      commit: (update, work) =>
        inner.checkpoints.commit(update, async (tx) => {
          await work(tx);
          if (crashNext) {
            crashNext = false;
            throw new Error("simulated crash after the handler, before the checkpoint");
          }
        }),
    },
  };
  const model = projection.init();
  const end = messages.length === 0 ? 0n : messages[messages.length - 1].globalPosition + 1n;
  while (((await inner.checkpoints.load("check", 0)) ?? 0n) < end) {
    const controller = new AbortController();
    const consumer = createConsumer(store, {
      group: "check",
      source: { all: true },
      storage,
      signal: controller.signal,
      retry: { maxAttempts: 1_000_000, initialDelay: 0, maxDelay: 0 },
      onCaughtUp: () => controller.abort(),
      handler: async (m) => {
        const r = roll();
        if (r < 10) throw new Error("simulated handler failure before its effect");
        await projection.apply(model, m);
        if (r < 25) crashNext = true;
        else if (r < 35) controller.abort(); // a restart after this message
      },
    });
    await consumer.done;
  }
  await store.close();
  return viewOf(projection, model);
}
