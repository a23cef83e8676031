/**
 * What the command line asks JetStream of its streams before a command runs:
 * one stream's configuration, and the streams there are. Plain API requests
 * on the command line's connection (the store's own JetStream calls are its
 * private business), answered within the store's default 5 s.
 *
 * @module
 */

import type { NatsConnection } from "@nats-io/nats-core";
import { CliFailure } from "./_failure.ts";

// JetStream's error code for a stream that does not exist.
const STREAM_NOT_FOUND = 10059;
// How long JetStream may take to answer, as the store waits by default.
const ANSWER_MS = 5000;

/** What of a stream's configuration the checks read. */
export interface SeenStream {
  readonly subjects: readonly string[];
  /** Set on an ordo store's stream (and on no stream of its index or buckets). */
  readonly denyPurge: boolean;
  readonly replicas: number;
  /** Milliseconds. */
  readonly duplicateWindow: number;
}

/** The stream's configuration; `undefined` when there is no such stream. */
export async function streamConfig(
  nc: NatsConnection,
  stream: string,
  where: string,
): Promise<SeenStream | undefined> {
  const answer = await ask(nc, `STREAM.INFO.${stream}`, where);
  if (answer.error?.err_code === STREAM_NOT_FOUND) return undefined;
  return {
    subjects: answer.config?.subjects ?? [],
    denyPurge: answer.config?.deny_purge === true,
    replicas: answer.config?.num_replicas ?? 1,
    duplicateWindow: (answer.config?.duplicate_window ?? 0) / 1_000_000,
  };
}

/** The server's streams (those holding subjects `subject` matches), sorted; the first 1024. */
export async function streamNames(
  nc: NatsConnection,
  where: string,
  subject?: string,
): Promise<string[]> {
  const answer = await ask(nc, "STREAM.NAMES", where, subject === undefined ? {} : { subject });
  return [...(answer.streams ?? [])].sort();
}

/** The streams of ordo stores: those with an id index (`<stream>_IDS`) beside them. */
export async function storeStreams(nc: NatsConnection, where: string): Promise<string[]> {
  const names = await streamNames(nc, where);
  return names.filter((name) => names.includes(`${name}_IDS`));
}

interface ApiAnswer {
  readonly error?: { readonly err_code?: number; readonly description?: string };
  readonly config?: {
    readonly subjects?: string[];
    readonly deny_purge?: boolean;
    readonly num_replicas?: number;
    /** Nanoseconds. */
    readonly duplicate_window?: number;
  };
  readonly streams?: string[] | null;
}

/** One JetStream API request; an error answer other than "not found" is a failure. */
async function ask(
  nc: NatsConnection,
  api: string,
  where: string,
  body?: unknown,
): Promise<ApiAnswer> {
  let answer: ApiAnswer;
  try {
    const reply = await nc.request(
      `$JS.API.${api}`,
      body === undefined ? undefined : JSON.stringify(body),
      { timeout: ANSWER_MS },
    );
    answer = JSON.parse(new TextDecoder().decode(reply.data));
  } catch (error) {
    throw new CliFailure(
      `NATS at ${where} did not answer a JetStream request: ${
        (error as Error).message
      }: check that the server runs with JetStream (nats-server -js)`,
      { cause: error },
    );
  }
  const failure = answer.error;
  if (failure !== undefined && failure.err_code !== STREAM_NOT_FOUND) {
    throw new CliFailure(
      `JetStream at ${where} refused ${api}: ${failure.description} (${failure.err_code})`,
    );
  }
  return answer;
}
