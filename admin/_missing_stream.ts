/**
 * What the console says of a stream that does not exist (a stream is its
 * messages: one with none was never written): a `NotFoundError`, and the
 * streams whose names are nearest, for a name mistyped. Cheap, and only on
 * a miss: a page of the streams sharing its category (the part before the
 * first `-`), and when that finds few, one of those sharing its first three
 * letters.
 *
 * @module
 */

import { editDistance, type EventStore, NotFoundError } from "../core/mod.ts";

/** A missing stream: the error to answer with, and up to three nearby names. */
export class MissingStream {
  constructor(readonly error: NotFoundError, readonly nearby: readonly string[]) {}
}

/** How many names of the category are compared: one page of `listStreams`. */
const COMPARED = 1000;

/** The error for `name`, with the nearest names of its category when the store can list streams. */
export async function missingStream(store: EventStore, name: string): Promise<MissingStream> {
  const nearby = await nearbyNames(store, name);
  const said = nearby.length === 0
    ? ""
    : `; did you mean ${nearby.map((n) => JSON.stringify(n)).join(" or ")}?`;
  return new MissingStream(
    new NotFoundError("stream", name, `no message was ever appended to it${said}`),
    nearby,
  );
}

async function nearbyNames(store: EventStore, name: string): Promise<string[]> {
  if (store.listStreams === undefined) return [];
  const listStreams = store.listStreams.bind(store);
  // Within a third of the name's length in edits: "order-12" for "order-21", not "order-9000".
  const within = Math.max(1, Math.floor(name.length / 3));
  const found = new Map<string, number>();
  const compare = async (prefix: string) => {
    const page = await listStreams({ prefix, limit: COMPARED });
    for (const { streamName } of page.streams) {
      const distance = editDistance(name, streamName);
      if (distance <= within) found.set(streamName, distance);
    }
  };
  // Its category's names, then (a mistyped category: "orders-1001") those sharing its first letters.
  const dash = name.indexOf("-");
  if (dash > 0) await compare(name.slice(0, dash + 1));
  if (found.size < 3 && name.length >= 3) await compare(name.slice(0, 3));
  return [...found]
    .sort(([a, da], [b, db]) => da - db || (a < b ? -1 : 1))
    .slice(0, 3)
    .map(([n]) => n);
}
