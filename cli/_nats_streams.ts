/**
 * What the command line asks JetStream of its streams before a command runs:
 * one stream's configuration, and the streams there are: requests through
 * the stores' own `JetStreamApi` (its prefix, its 5 s, its parsing), with
 * failures said as the command line says them.
 *
 * @module
 */

import { type JetStreamApi, JetStreamApiFailure, JS_ERR } from "../stores/nats/jetstream/mod.ts";
import { CliFailure } from "./_failure.ts";

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
  api: JetStreamApi,
  stream: string,
  where: string,
): Promise<SeenStream | undefined> {
  const answer = await ask(api, `STREAM.INFO.${stream}`, where);
  if (answer === undefined) return undefined;
  return {
    subjects: answer.config?.subjects ?? [],
    denyPurge: answer.config?.deny_purge === true,
    replicas: answer.config?.num_replicas ?? 1,
    duplicateWindow: (answer.config?.duplicate_window ?? 0) / 1_000_000,
  };
}

/** The server's streams (those holding subjects `subject` matches), sorted; the first 1024. */
export async function streamNames(
  api: JetStreamApi,
  where: string,
  subject?: string,
): Promise<string[]> {
  const answer = await ask(api, "STREAM.NAMES", where, subject === undefined ? {} : { subject });
  return [...(answer?.streams ?? [])].sort();
}

/** The streams of ordo stores: those with an id index (`<stream>_IDS`) beside them. */
export async function storeStreams(api: JetStreamApi, where: string): Promise<string[]> {
  const names = await streamNames(api, where);
  return names.filter((name) => names.includes(`${name}_IDS`));
}

interface ApiAnswer {
  readonly config?: {
    readonly subjects?: string[];
    readonly deny_purge?: boolean;
    readonly num_replicas?: number;
    /** Nanoseconds. */
    readonly duplicate_window?: number;
  };
  readonly streams?: string[] | null;
}

/** One JetStream API request; `undefined` when the stream is not found, any other refusal a failure. */
async function ask(
  api: JetStreamApi,
  request: string,
  where: string,
  body?: unknown,
): Promise<ApiAnswer | undefined> {
  try {
    return await api.request(request, body) as ApiAnswer;
  } catch (error) {
    if (!(error instanceof JetStreamApiFailure)) {
      throw new CliFailure(
        `NATS at ${where} did not answer a JetStream request: ${
          (error as Error).message
        }: check that the server runs with JetStream (nats-server -js)`,
        { cause: error },
      );
    }
    if (error.errCode === JS_ERR.streamNotFound) return undefined;
    throw new CliFailure(
      `JetStream at ${where} refused ${request}: ${error.description} (${error.errCode})`,
      { cause: error },
    );
  }
}
