/**
 * `Promise.all` for the console's reads, which cannot be cancelled (the store
 * API takes no signal): when one part fails, the whole fails only once every
 * part has settled. With `Promise.all` a read that failed at once (the
 * storage's query refused) ended while its other parts still waited on a
 * store that hangs, so the next request started the same read again beside
 * them: reads piled up during an outage however strictly the console kept
 * to one read of each kind at a time.
 *
 * @module
 */

/**
 * The values of `parts`, in order; the first failure (in order) once all settled.
 *
 * @example
 * ```ts
 * import { settledAll } from "./_settled_all.ts";
 * const [a, b] = await settledAll([Promise.resolve(1), Promise.resolve("two")]);
 * ```
 */
export async function settledAll<T extends readonly unknown[] | []>(
  parts: T,
): Promise<{ -readonly [P in keyof T]: Awaited<T[P]> }> {
  const settled = await Promise.allSettled(parts);
  const failed = settled.find((part) => part.status === "rejected");
  if (failed !== undefined) throw (failed as PromiseRejectedResult).reason;
  return settled.map((part) => (part as PromiseFulfilledResult<unknown>).value) as {
    -readonly [P in keyof T]: Awaited<T[P]>;
  };
}
