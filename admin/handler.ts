/**
 * The web console: a Web `Request -> Response` handler serving a page, its
 * style and script (plain HTML, CSS and JavaScript shipped in the package,
 * no build step) and the JSON API the page reads. It mounts as the HTTP
 * transport's handler does: `Deno.serve(handler.fetch)`,
 * `Bun.serve({ fetch: handler.fetch })`, node:http through
 * `createNodeRequestListener(handler)` from `ordo/transports/http/node`, or
 * `export default { fetch: handler.fetch }` in workerd.
 *
 * @module
 */

import {
  checkLogger,
  checkOptions,
  checkPositiveNumber,
  ClosedError,
  consoleLogger,
  type ConsumerStorage,
  type EventStore,
  type Logger,
  NotFoundError,
  OrdoError,
  ServerError,
  StoreUnavailableError,
  ValidationError,
} from "../core/mod.ts";
import { answerApi, type ApiContext, takeSample } from "./_api.ts";
import { asset, failure } from "./_answers.ts";
import { CONSOLE_PAGE } from "./_asset_page.ts";
import { CONSOLE_SCRIPT } from "./_asset_script.ts";
import { CONSOLE_STYLE } from "./_asset_style.ts";
import { Deadline } from "./_deadline.ts";
import {
  checkNatsEventGroups,
  type NatsEventGroupLister,
  reportingFailures,
} from "./_nats_event_groups.ts";
import { History } from "./_history.ts";
import { StoreReach } from "./_reach.ts";
import { type AdminAuth, Roles } from "./_roles.ts";
import { crossSiteRefusal } from "./_same_origin.ts";

export type { AdminAuth, AdminCredential, AdminRole } from "./_roles.ts";

/** Options of {@link createAdminHandler}. */
export interface CreateAdminHandlerOptions<Tx> {
  /** The store to show. */
  readonly store: EventStore;
  /** The consumer storage beside it (checkpoints, leases, parked messages, the control store). */
  readonly storage: ConsumerStorage<Tx>;
  /**
   * On NATS with the NATS transport: lists its `bus.subscribe` groups, whose
   * positions live in their durable JetStream consumers, not in `storage`,
   * so the consumers page lists them too (marked as the transport's, and
   * without replays, which the transport does not take):
   * `() => listNatsEventGroups(nc, { headers, stream: store.stream, subjectPrefix: store.subjectPrefix })`
   * from `ordo/transports/nats`. Default none: only the storage's groups.
   */
  readonly natsEventGroups?: NatsEventGroupLister;
  /** Who may use it: operators may replay, viewers only read. Required. */
  readonly auth: AdminAuth;
  /**
   * Where the console is mounted, when not at the root (`/admin`): its pages
   * and API live under it. Default `""`.
   */
  readonly basePath?: string;
  /**
   * Origins besides the request's own that may send replays: the public
   * origin of a console behind a proxy that changes scheme or host
   * (`https://ops.example.com`). Default none.
   */
  readonly origins?: readonly string[];
  /** How often, in ms, the head and every group's lag are sampled for the charts. Default 5000. */
  readonly sampleInterval?: number;
  /** How long samples are kept, in ms. Default 15 minutes. */
  readonly historyWindow?: number;
  /**
   * How long, in ms, an API request waits on the store and the consumer
   * storage before it is answered 503 with a `StoreUnavailableError` saying
   * so (their database down or unreachable). Default 5000.
   */
  readonly requestTimeout?: number;
  /**
   * Where failures go: a request that failed with an error that is not
   * ordo's (under the error id its answer names), and a sample for the
   * charts that failed (once, until one works again). Default the store's
   * logger, else the console.
   */
  readonly logger?: Logger;
}

/** The console's handler. */
export interface AdminHandler {
  /** Answers one request. Never throws: failures are answered with ordo's error bodies. */
  readonly fetch: (request: Request) => Promise<Response>;
  /** Stops sampling; every request after is answered 503 with a `ClosedError`. */
  close(): Promise<void>;
}

/**
 * Creates the console's handler.
 *
 * The page, its style and script are served without credentials (they hold
 * no data); every API route needs one, in `Authorization` as the HTTP
 * transport takes it (a bearer token, or an HMAC signature). A replay needs
 * an operator credential, the console's own header and, when the browser
 * says where it comes from, the console's origin (or one of `origins`):
 * cross-site requests cannot replay.
 *
 * @throws {ValidationError} when `auth` is missing, has no operator, says
 *   `{ none: true }`, holds a token or secret under 16 characters or one both
 *   roles share, or an `allow` (the HTTP transport's permissions: here the
 *   role says what a credential may do), when an origin is not scheme://host[:port], and on any other
 *   bad option (an unknown key too)
 * @example
 * ```ts
 * import { createMemoryConsumerStorage, createMemoryStore } from "../mod.ts";
 * import { createAdminHandler } from "./handler.ts";
 * const handler = createAdminHandler({
 *   store: createMemoryStore(),
 *   storage: createMemoryConsumerStorage(),
 *   auth: {
 *     operator: { bearer: "operator-token-7f3a9c" },
 *     viewer: { bearer: "viewer-token-5b2e8d41" },
 *   },
 * });
 * // Deno.serve(handler.fetch) · Bun.serve({ fetch: handler.fetch }) · export default { fetch: handler.fetch }
 * const answer = await handler.fetch(new Request("http://127.0.0.1/api/session", {
 *   headers: { authorization: "Bearer viewer-token-5b2e8d41" },
 * }));
 * console.log(await answer.json()); // { role: "viewer" }
 * await handler.close();
 * ```
 */
export function createAdminHandler<Tx>(options: CreateAdminHandlerOptions<Tx>): AdminHandler {
  checkOptions(options, OPTION_KEYS);
  const roles = new Roles(options.auth);
  const base = checkBase(options.basePath ?? "");
  const origins = checkOrigins(options.origins ?? []);
  const ms = (value: unknown, path: string, fallback: number) =>
    checkPositiveNumber(value, path, fallback, "milliseconds");
  const logger = checkLogger(
    options.logger,
    "options.logger",
    options.store?.logger ?? consoleLogger,
  );
  const natsEventGroups = checkNatsEventGroups(options.natsEventGroups, "options.natsEventGroups");
  // Since when the store has not answered, from every read (the sampler's too): said in 503s.
  const reach = new StoreReach();
  const context: ApiContext = {
    store: options.store,
    storage: options.storage as ConsumerStorage<unknown>,
    natsEventGroups: natsEventGroups && reportingFailures(natsEventGroups, logger),
    history: new History(
      () => reach.track(takeSample(context)),
      ms(options.sampleInterval, "options.sampleInterval", 5000),
      ms(options.historyWindow, "options.historyWindow", 15 * 60_000),
      logger,
    ),
  };
  const deadline = new Deadline(ms(options.requestTimeout, "options.requestTimeout", 5000));
  let closed = false;

  const fetch = async (request: Request): Promise<Response> => {
    try {
      const path = new URL(request.url).pathname;
      if (closed) throw new ClosedError("console", `${request.method} ${path}`);
      if (!path.startsWith(base)) return notHere(path);
      const rest = path.slice(base.length);
      // The page loads its assets and API relative to itself: /admin must be /admin/.
      if (rest === "" && base !== "") {
        return new Response(null, { status: 308, headers: { location: `${base}/` } });
      }
      if (request.method === "GET") {
        if (rest === "" || rest === "/") return asset(CONSOLE_PAGE, "html");
        if (rest === "/assets/console.css") return asset(CONSOLE_STYLE, "css");
        if (rest === "/assets/console.js") return asset(CONSOLE_SCRIPT, "js");
      }
      if (!rest.startsWith("/api/")) return notHere(path);
      return await api(request, rest.slice("/api/".length));
    } catch (error) {
      if (error instanceof StoreUnavailableError) {
        return failure(error, undefined, {}, { ...reach.unreachable() });
      }
      if (error instanceof OrdoError) return failure(error);
      // Not ordo's (a bug, a driver's own error): logged under an id, which
      // is all the answer discloses.
      const errorId = crypto.randomUUID();
      const operation = `${request.method} ${new URL(request.url).pathname}`;
      logger.error("Console request failed", { errorId, operation, error });
      return failure(new ServerError(operation, errorId));
    }
  };

  const api = async (request: Request, route: string): Promise<Response> => {
    const body = new Uint8Array(await request.arrayBuffer());
    const caller = await roles.judge(request, body);
    if (!("role" in caller)) {
      if (!(caller.error instanceof OrdoError)) throw caller.error;
      return failure(caller.error, 401, caller.headers);
    }
    if (request.method !== "GET") {
      const refused = crossSiteRefusal(request, origins);
      if (refused !== undefined) return failure(refused, 403);
    }
    context.history.start();
    const url = new URL(request.url);
    const path = route.split("/").filter((part) => part !== "").map(decodeURIComponent);
    const call = { method: request.method, path, query: url.searchParams, caller };
    // Reads asked again while one runs share it, whoever asks (every role
    // reads the same; the session, which reads nothing, is the caller's own);
    // a replay never does.
    const mine = path[0] === "session" ? [caller.role, caller.name] : [];
    const key = request.method === "GET" ? JSON.stringify([...mine, route, url.search]) : undefined;
    const started = Date.now();
    try {
      const answer = await deadline.run(
        `${request.method} ${url.pathname}`,
        key,
        () => answerApi(context, call),
      );
      // Any answer of the store (a 404 too) says it is reachable.
      if (answer.status < 500 && path[0] !== "session") reach.worked();
      return answer;
    } catch (error) {
      reach.failed(error, started);
      throw error;
    }
  };

  return {
    fetch,
    close: async () => {
      closed = true;
      context.history.close();
    },
  };
}

const OPTION_KEYS: readonly string[] = [
  "store",
  "storage",
  "natsEventGroups",
  "auth",
  "basePath",
  "origins",
  "sampleInterval",
  "historyWindow",
  "requestTimeout",
  "logger",
];

function checkOrigins(origins: unknown): readonly string[] {
  if (!Array.isArray(origins) || origins.some((o) => typeof o !== "string")) {
    throw new ValidationError(
      "options.origins",
      origins,
      'must be an array of origins ("https://ops.example.com")',
    );
  }
  // An origin is what a browser sends in `Origin`: compared as text, so a
  // host alone or a trailing slash could never match and would refuse every replay.
  origins.forEach((origin: string, i) => {
    if (!isOrigin(origin)) {
      // Said as the browser would send it (lower case, no default port, no
      // path), when the text is a URL at all: that is the value to write.
      const sent = originOf(origin);
      throw new ValidationError(
        `options.origins[${i}]`,
        origin,
        sent === undefined
          ? 'an origin is scheme://host[:port], with no path ("https://ops.example.com")'
          : `is not an origin as a browser sends it: write "${sent}" (scheme://host[:port], lower case, no default port, no path)`,
      );
    }
  });
  return origins;
}

function originOf(text: string): string | undefined {
  try {
    const origin = new URL(text).origin;
    return origin === "null" ? undefined : origin;
  } catch {
    return undefined;
  }
}

function isOrigin(text: string): boolean {
  try {
    return new URL(text).origin === text;
  } catch {
    return false;
  }
}

function notHere(path: string): Response {
  return failure(new NotFoundError("route", path, "the console has no such page"));
}

function checkBase(base: string): string {
  if (base !== "" && !/^\/[^?#]*[^/]$/.test(base)) {
    throw new ValidationError(
      "options.basePath",
      base,
      'must start with "/" and not end with one (/admin)',
    );
  }
  return base;
}
