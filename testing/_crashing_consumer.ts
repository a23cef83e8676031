// The project's own consumer driven through failures: commits that fail after
// the handler ran (inside the storage's transaction, so its writes through
// `tx` roll back), handler failures before any effect, and restarts at
// random messages, until it has handled everything. A page handler gets
// pages of a random size, narrowed down again when one of them fails.
//
// The consumer retries every failure, so the check's own faults are marked
// (SimulatedFault) and anything else that reaches a commit, the projection
// throwing above all, stops the run at once and is thrown from here: retried,
// a projection that always throws would keep the check busy for ever.

import { createConsumer } from "../core/consumers/mod.ts";
import type { ConsumerStorage } from "../core/consumers/mod.ts";
import { type RecordedMessage, silentLogger } from "../mod.ts";
import { endOf, storeOf } from "./_histories.ts";

/** A failure the crash check makes on purpose; any other error is the projection's. */
class SimulatedFault extends Error {}

/**
 * Runs `apply` over `messages` through a consumer that crashes and restarts
 * as `roll` says. Rejects with the first error that is not a simulated one
 * (the projection's, as it threw it), having stopped the consumer.
 */
export async function throughCrashingConsumer<Tx>(
  inner: ConsumerStorage<Tx>,
  messages: readonly RecordedMessage[],
  roll: () => number,
  apply: (message: RecordedMessage, tx: Tx) => Promise<void> | void,
  applyPage?: (messages: readonly RecordedMessage[], tx: Tx) => Promise<void> | void,
): Promise<void> {
  const store = await storeOf(messages);
  let crashNext = false;
  let failed: { readonly error: unknown } | undefined;
  let controller = new AbortController();
  const storage: ConsumerStorage<Tx> = {
    ...inner,
    checkpoints: {
      load: (group, partition) => inner.checkpoints.load(group, partition),
      reset: (group) => inner.checkpoints.reset(group),
      commit: async (update, work) => {
        try {
          return await inner.checkpoints.commit(update, async (tx) => {
            await work(tx);
            if (crashNext) {
              crashNext = false;
              throw new SimulatedFault("simulated crash after the handler, before the checkpoint");
            }
          });
        } catch (error) {
          if (!(error instanceof SimulatedFault)) {
            failed ??= { error };
            controller.abort(); // no retry: the first real error is the report
          }
          throw error;
        }
      },
    },
  };
  const end = endOf(messages);
  await inner.checkpoints.reset("check");
  while (
    failed === undefined && ((await inner.checkpoints.load("check", 0)) ?? 0n) < end
  ) {
    controller = new AbortController();
    // Before any effect: a failure; after it: a crash before the checkpoint, or a restart.
    const fault = async (run: () => Promise<void> | void) => {
      const r = roll();
      if (r < 10) throw new SimulatedFault("simulated handler failure before its effect");
      await run();
      if (r < 25) crashNext = true;
      else if (r < 35) controller.abort(); // a restart after this message or page
    };
    const consumer = createConsumer<Tx>(store, {
      group: "check",
      source: { all: true },
      storage,
      signal: controller.signal,
      retry: { maxAttempts: 1_000_000, initialDelay: 0, maxDelay: 0 },
      // Its failures are the check's own simulated ones, hundreds a run: a
      // user's test output must not fill with them. What the projection
      // itself gets wrong comes back in the check's report.
      logger: silentLogger,
      onCaughtUp: () => controller.abort(),
      ...(applyPage === undefined ? { handler: (m, { tx }) => fault(() => apply(m, tx)) } : {
        batchSize: 1 + (roll() % 6),
        pageHandler: (page, { tx }) => fault(() => applyPage(page, tx)),
      }),
    });
    await consumer.done;
  }
  await store.close();
  if (failed !== undefined) throw failed.error;
}
