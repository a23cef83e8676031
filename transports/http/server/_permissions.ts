// What one credential may do over HTTP: which commands it may send, which
// queries ask, what it may follow over Server-Sent Events and where it may
// publish through POST /events. Checked when the handler is created; judged
// per request before any transport call, so a refused request touches no
// handler and no store. Commands and queries are allowed unless listed
// (the handler's own `allow` already limits what is exposed); event routes
// are denied unless listed.

import {
  categoryOf,
  checkKnownKeys,
  parseStreamName,
  validateCategory,
  ValidationError,
} from "../../../core/mod.ts";
import { type EventSelector, serviceOf } from "../../../core/messaging/mod.ts";

/**
 * What a credential may do. Each list holds exact names, `service/*` for
 * every name of a service, or `*` for everything.
 */
export interface HttpPermissions {
  /** Commands it may send. Default: every command the handler exposes. */
  readonly commands?: readonly string[];
  /** Queries it may ask. Default: every query the handler exposes. */
  readonly queries?: readonly string[];
  /** What it may follow on `GET /events/stream`: categories (`order`) and event names (`orders/placed`, `orders/*`). Default: nothing. */
  readonly subscribe?: readonly string[];
  /** Where it may publish through `POST /events`: categories (`order`, every `order-…` stream) and streams (`order-42`). Default: nowhere. */
  readonly publish?: readonly string[];
}

/** Checked permissions, ready to judge requests. */
export interface Permissions {
  mayCommand(name: string): boolean;
  mayQuery(name: string): boolean;
  /** The first category or event name of `selector` it may not follow; `undefined` when it may follow them all. */
  refusedSubscription(selector: EventSelector): string | undefined;
  mayPublish(streamName: string): boolean;
  /** Whether it may follow anything at all: judged before the stream's parameters are read. */
  readonly maySubscribeAny: boolean;
  /** Whether it may publish anywhere at all: judged before the event's body is read. */
  readonly mayPublishAny: boolean;
}

const KEYS = ["commands", "queries", "subscribe", "publish"] as const;
const EVERYTHING = (): boolean => true;
const NOTHING = (): boolean => false;

/** Where an `allow` option was given: its value and its path, for messages. */
export interface AllowOption {
  readonly allow: unknown;
  readonly path: string;
}

/**
 * Checks `allow` at `path`; a key it leaves out is taken from `fallback`
 * (the `auth` option's own `allow`), else from the defaults above.
 *
 * @throws {ValidationError} naming the key or entry that is wrong
 */
export function checkPermissions(own: AllowOption, fallback?: AllowOption): Permissions {
  const given = allowObject(own);
  const shared = fallback === undefined ? {} : allowObject(fallback);
  const pick = (key: typeof KEYS[number]): Listed =>
    given[key] !== undefined || fallback === undefined
      ? { list: given[key], at: `${own.path}.${key}` }
      : { list: shared[key], at: `${fallback.path}.${key}` };
  const commands = nameRule(pick("commands"), EVERYTHING);
  const queries = nameRule(pick("queries"), EVERYTHING);
  const subscribe = pick("subscribe");
  const events = eventRule(subscribe);
  const published = pick("publish");
  const publish = streamRule(published);
  return {
    mayCommand: commands,
    mayQuery: queries,
    refusedSubscription: (selector) => {
      if (Array.isArray(selector)) return selector.find((name) => !events.name(name));
      const category = (selector as { readonly category: string }).category;
      return events.category(category) ? undefined : category;
    },
    mayPublish: publish,
    maySubscribeAny: (entries(subscribe)?.length ?? 0) > 0,
    mayPublishAny: (entries(published)?.length ?? 0) > 0,
  };
}

function allowObject(option: AllowOption): Readonly<Record<string, unknown>> {
  const { allow, path } = option;
  if (allow === undefined) return {};
  if (typeof allow !== "object" || allow === null || Array.isArray(allow)) {
    throw new ValidationError(
      path,
      allow,
      "expected { commands?, queries?, subscribe?, publish? }",
    );
  }
  checkKnownKeys(allow, KEYS, path);
  return allow as Record<string, unknown>;
}

interface Listed {
  readonly list: unknown;
  readonly at: string;
}

function entries(listed: Listed): string[] | undefined {
  const { list, at } = listed;
  if (list === undefined) return undefined;
  if (!Array.isArray(list) || list.some((entry) => typeof entry !== "string")) {
    throw new ValidationError(at, list, 'expected an array of names, "service/*" or "*"');
  }
  return list;
}

/** Commands, queries or events by name: names, `service/*`, `*`. */
function nameRule(listed: Listed, absent: (name: string) => boolean): (name: string) => boolean {
  const list = entries(listed);
  if (list === undefined) return absent;
  if (list.includes("*")) return EVERYTHING;
  const names = new Set<string>();
  const services = new Set<string>();
  list.forEach((entry, i) => {
    const at = `${listed.at}[${i}]`;
    if (entry.endsWith("/*")) services.add(validateCategory(entry.slice(0, -2), at));
    else {
      serviceOf(entry, at);
      names.add(entry);
    }
  });
  if (names.size === 0 && services.size === 0) return NOTHING;
  return (name) => names.has(name) || services.has(name.slice(0, name.indexOf("/")));
}

/** What may be followed: categories, event names, `service/*`, `*`. */
function eventRule(
  listed: Listed,
): { name: (name: string) => boolean; category: (category: string) => boolean } {
  const list = entries(listed) ?? [];
  if (list.includes("*")) return { name: EVERYTHING, category: EVERYTHING };
  const categories = new Set<string>();
  const names: string[] = [];
  list.forEach((entry, i) => {
    const at = `${listed.at}[${i}]`;
    if (!entry.includes("/")) categories.add(validateCategory(entry, at));
    else {
      if (entry.endsWith("/*")) validateCategory(entry.slice(0, -2), at);
      else serviceOf(entry, at);
      names.push(entry);
    }
  });
  return {
    name: nameRule({ list: names, at: listed.at }, NOTHING),
    category: (category) => categories.has(category),
  };
}

/** Where events may be published: categories, streams, `*`. */
function streamRule(listed: Listed): (streamName: string) => boolean {
  const list = entries(listed) ?? [];
  if (list.includes("*")) return EVERYTHING;
  const categories = new Set<string>();
  const streams = new Set<string>();
  list.forEach((entry, i) => {
    const at = `${listed.at}[${i}]`;
    if (entry.includes("-")) {
      parseStreamName(entry, at);
      streams.add(entry);
    } else categories.add(validateCategory(entry, at));
  });
  return (streamName) => streams.has(streamName) || categories.has(categoryOf(streamName));
}
