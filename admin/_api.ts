/**
 * The console's JSON API, under `api/`: what its pages read (overview,
 * streams, one stream, one message, consumers, parked messages) and the one
 * thing an operator changes (a replay). Every route takes an authenticated
 * caller; the handler checks who before it gets here.
 *
 * @module
 */

import {
  type ConsumerStorage,
  type EventStore,
  ForbiddenError,
  NotFoundError,
  type RecordedMessage,
  ValidationError,
} from "../core/mod.ts";
import { type ConsumerGroupView, inspectConsumers } from "./inspect_consumers.ts";
import { inspectStore, type StoreView } from "./inspect_store.ts";
import { listParkedMessages } from "./list_parked.ts";
import {
  type ReplayAsked,
  replayOutcomes,
  requestReplay,
  requestReplayAll,
} from "./replay_requests.ts";
import type { History, Sample } from "./_history.ts";
import type { AdminCaller } from "./_roles.ts";
import { failure, json } from "./_answers.ts";
import { MissingStream, missingStream } from "./_missing_stream.ts";
import { listNatsGroups, type NatsEventGroupLister } from "./_nats_event_groups.ts";
import { settledAll } from "./_settled_all.ts";

/** What the routes read and write. */
export interface ApiContext {
  readonly store: EventStore;
  readonly storage: ConsumerStorage<unknown>;
  /** Lists the NATS transport's groups, listed beside the storage's (`natsEventGroups`). */
  readonly natsEventGroups?: NatsEventGroupLister;
  readonly history: History;
  /** The store's categories and stream count, read at most every ten seconds (they page the index). */
  storeView?: { readonly at: number; readonly view: Promise<StoreView> };
}

const STORE_VIEW_TTL = 10_000;

/** The store's view, fresh enough for a live overview; the head is read each time. */
async function storeView(context: ApiContext): Promise<StoreView> {
  const now = Date.now();
  if (context.storeView === undefined || now - context.storeView.at > STORE_VIEW_TTL) {
    const view = inspectStore(context.store);
    context.storeView = { at: now, view };
    view.catch(() => (context.storeView = undefined));
  }
  return { ...await context.storeView.view, head: await context.store.headPosition() };
}

/** One call of the API: the path after `api/`, split, and the query. */
export interface ApiCall {
  readonly method: string;
  readonly path: readonly string[];
  readonly query: URLSearchParams;
  readonly caller: AdminCaller;
}

/** Every group, the NATS transport's too, and why those are missing when their list failed. */
async function listGroups(
  context: ApiContext,
): Promise<{ groups: ConsumerGroupView[]; natsEventGroupsFailed?: string }> {
  const { natsEventGroups } = context;
  if (natsEventGroups === undefined) {
    return { groups: await inspectConsumers(context.store, context.storage) };
  }
  // A failed list leaves the storage's groups shown, and the answer says which list is missing.
  const listed = listNatsGroups(natsEventGroups);
  const groups = await inspectConsumers(context.store, context.storage, {
    natsEventGroups: async () => (await listed).groups,
  });
  const { failed } = await listed;
  return failed === undefined ? { groups } : { groups, natsEventGroupsFailed: failed };
}

/** A sample of the head and every group's lag, for the history. */
export async function takeSample(context: ApiContext): Promise<Sample> {
  return sampleOf((await listGroups(context)).groups, context.store);
}

async function sampleOf(groups: readonly ConsumerGroupView[], store: EventStore): Promise<Sample> {
  const at = Date.now();
  const lags: Record<string, number> = {};
  const ages: Record<string, number> = {};
  for (const g of groups) {
    if (g.lag === undefined) continue;
    lags[g.group] = g.lag;
    const oldest = g.oldestUnhandledAt === undefined ? NaN : Date.parse(g.oldestUnhandledAt);
    if (g.lag === 0) ages[g.group] = 0;
    else if (!Number.isNaN(oldest)) ages[g.group] = Math.max(0, at - oldest);
  }
  const capped = groups.filter((g) => g.lagCapped).map((g) => g.group);
  return { at, head: groups[0]?.head ?? await store.headPosition(), lags, capped, ages };
}

/** Answers one API call; throws ordo's errors for the handler to answer. */
export async function answerApi(context: ApiContext, call: ApiCall): Promise<Response> {
  const [first, second, third, fourth] = call.path;
  const read = call.method === "GET";
  if (read && first === "session" && second === undefined) return json(call.caller);
  if (read && first === "overview" && second === undefined) return json(await overview(context));
  if (read && first === "streams") {
    if (second === undefined) return json(await streams(context, call.query));
    const found = await stream(context, second, call.query);
    return found instanceof MissingStream
      ? failure(found.error, 404, {}, { nearby: found.nearby })
      : json(found);
  }
  if (read && first === "messages" && second !== undefined) {
    return json(await message(context, second));
  }
  if (read && first === "consumers" && second === undefined) return json(await consumers(context));
  if (first === "parked") {
    if (read && second === undefined) return json(await parkedList(context, call.query));
    if (read && third !== undefined && fourth === undefined) {
      return json(await parkedEntry(context, second, third));
    }
    if (read && fourth === "outcome") {
      return json(await outcome(context, second, third, call.query));
    }
    if (call.method === "POST" && fourth === "replay") {
      return await replay(context, call, second, third);
    }
    if (call.method === "POST" && third === "replay-all" && fourth === undefined) {
      return await replay(context, call, second, undefined);
    }
  }
  throw new NotFoundError("route", `api/${call.path.join("/")}`, "no such console route");
}

async function overview(context: ApiContext) {
  const [store, { groups, natsEventGroupsFailed }] = await settledAll([
    storeView(context),
    listGroups(context),
  ]);
  const history = context.history.withLatest(await sampleOf(groups, context.store));
  return {
    ...store,
    rate: context.history.rate(),
    history: history.map((s) => ({ at: s.at, head: s.head })),
    consumers: groups.map((g) => ({
      group: g.group,
      state: g.state,
      lag: g.lag,
      lagCapped: g.lagCapped,
      oldestUnhandledAt: g.oldestUnhandledAt,
      parked: g.parked,
      transport: g.transport,
    })),
    ...(natsEventGroupsFailed === undefined ? {} : { natsEventGroupsFailed }),
  };
}

function text(query: URLSearchParams, name: string): string | undefined {
  const value = query.get(name);
  return value === null || value === "" ? undefined : value;
}

function whole(query: URLSearchParams, name: string): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new ValidationError(name, value, "expected a whole number");
  return Number(value);
}

async function streams(context: ApiContext, query: URLSearchParams) {
  if (context.store.listStreams === undefined) {
    throw new ValidationError("store", undefined, "this store cannot list its streams");
  }
  const options = {
    category: text(query, "category"),
    type: text(query, "type"),
    prefix: text(query, "prefix"),
    after: text(query, "after"),
    limit: whole(query, "limit"),
  };
  return await context.store.listStreams(
    Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)),
  );
}

async function stream(context: ApiContext, name: string, query: URLSearchParams) {
  const from = whole(query, "from") ?? 0;
  const limit = whole(query, "limit") ?? 50;
  const [info, messages] = await settledAll([
    context.store.getStreamInfo(name),
    context.store.readStream(name, { from, limit }),
  ]);
  // A stream is its messages: one with none was never written (or its name is mistyped).
  if (info.version === undefined) return await missingStream(context.store, name);
  return { ...info, from, messages };
}

/** A message by global position or id, with the message that caused it, when found. */
async function message(context: ApiContext, ref: string) {
  let found: RecordedMessage | undefined;
  if (/^\d+$/.test(ref)) {
    const [m] = (await context.store.readPage({ from: BigInt(ref), limit: 1 })).messages;
    found = m?.globalPosition === BigInt(ref) ? m : undefined;
  } else if (context.store.getMessage === undefined) {
    throw new ValidationError(
      "message",
      ref,
      "this store cannot look a message up by id: give its global position (a whole number)",
    );
  } else {
    found = await context.store.getMessage(ref);
  }
  if (found === undefined) {
    throw new NotFoundError(
      "message",
      ref,
      /^\d+$/.test(ref) ? "no message has this global position" : "no message has this id",
    );
  }
  const causationId = found.metadata.causationId;
  const causedBy = typeof causationId === "string" && /^[0-9a-f-]{36}$/i.test(causationId)
    ? await context.store.getMessage?.(causationId).catch(() => undefined)
    : undefined;
  return { message: found, ...(causedBy === undefined ? {} : { causedBy }) };
}

async function consumers(context: ApiContext) {
  const { groups, natsEventGroupsFailed } = await listGroups(context);
  const history = context.history.withLatest(await sampleOf(groups, context.store));
  return {
    groups,
    history: history.map((s) => ({
      at: s.at,
      lags: s.lags,
      capped: s.capped,
      ages: s.ages,
    })),
    ...(natsEventGroupsFailed === undefined ? {} : { natsEventGroupsFailed }),
  };
}

async function parkedList(context: ApiContext, query: URLSearchParams) {
  const after = text(query, "after");
  if (after !== undefined && !/^\d+$/.test(after)) {
    throw new ValidationError("after", after, "expected a global position (a whole number)");
  }
  const group = text(query, "group");
  const limit = whole(query, "limit");
  const [listing, nats] = await settledAll([
    listParkedMessages(context.storage, {
      ...(group === undefined ? {} : { group }),
      ...(limit === undefined ? {} : { limit }),
      ...(after === undefined ? {} : { after: BigInt(after) }),
    }),
    listNatsGroups(context.natsEventGroups),
  ]);
  // The page offers no replay for these: the transport takes none.
  return {
    ...listing,
    natsTransportGroups: nats.groups.map((g) => g.group),
    ...(nats.failed === undefined ? {} : { natsEventGroupsFailed: nats.failed }),
  };
}

async function parkedEntry(context: ApiContext, group: string, id: string) {
  const entry = await context.storage.parked.get(group, id);
  if (entry === undefined) {
    throw new NotFoundError("parked message", id, `group "${group}" has not parked it`);
  }
  return entry;
}

async function outcome(
  context: ApiContext,
  group: string,
  id: string | undefined,
  query: URLSearchParams,
) {
  const attempts = whole(query, "attempts") ?? 0;
  const asked: ReplayAsked = { group, messages: [{ messageId: id ?? "", attempts }], running: 0 };
  const [result] = await replayOutcomes(context.storage, asked);
  return result;
}

async function replay(
  context: ApiContext,
  call: ApiCall,
  group: string,
  id: string | undefined,
): Promise<Response> {
  if (call.caller.role !== "operator") throw new ForbiddenError("replay", group, call.caller.name);
  const { natsEventGroups } = context;
  const nats = natsEventGroups ? { natsEventGroups } : {};
  const asked = id === undefined
    ? await requestReplayAll(context.storage, group, nats)
    : await requestReplay(context.storage, id, { group, ...nats });
  return json(asked, 202);
}
