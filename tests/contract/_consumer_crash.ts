// A storage wrapper that simulates a crash between a handler's effect and its
// commit: the work runs (the handler's outside effects happen), then the
// commit fails, so the transaction rolls back and the message comes again.
import type { ConsumerStorage } from "../../core/consumers/mod.ts";

/** Wraps `storage`; `crashNextCommit()` makes the next commit fail after its work ran. */
export function crashingStorage<Tx>(
  storage: ConsumerStorage<Tx>,
): ConsumerStorage<Tx> & { crashNextCommit(): void; crashEveryCommit(): void } {
  let crashes = 0;
  return {
    ...storage,
    checkpoints: {
      load: (group, partition) => storage.checkpoints.load(group, partition),
      reset: (group) => storage.checkpoints.reset(group),
      commit: (update, work) =>
        storage.checkpoints.commit(update, async (tx) => {
          await work(tx);
          if (crashes > 0) {
            crashes--;
            throw new Error("simulated crash before the commit");
          }
        }),
    },
    crashNextCommit: () => void crashes++,
    crashEveryCommit: () => void (crashes = Infinity),
  };
}
