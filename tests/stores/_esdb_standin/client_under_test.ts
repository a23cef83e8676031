// What the runtime-transport checks need to know about a client package, and
// which runtime they run on (for test names and messages).
import process from "node:process";
import type {
  CreateEventStoreDbStoreOptions,
  EventStoreDbClient,
} from "../../../stores/eventstoredb/mod.ts";
import type { StandIn } from "./start_standin.ts";

export interface Connection {
  readonly client: EventStoreDbClient;
  dispose(): Promise<void>;
}

export interface ClientUnderTest {
  /** The package and its version, e.g. `@eventstore/db-client 6.2.1`. */
  readonly name: string;
  /** A client for `esdb://127.0.0.1:PORT?tls=false[&setting=value…]` (the factory may change the scheme). */
  connect(url: string): Connection;
}

/** `Node 20.20.2`, `Deno 2.9.5` or `Bun 1.4.5`: the runtime running this test. */
export function runtimeName(): string {
  const runtime = globalThis as { Deno?: { version: { deno: string } }; Bun?: { version: string } };
  if (runtime.Deno !== undefined) return `Deno ${runtime.Deno.version.deno}`;
  if (runtime.Bun !== undefined) return `Bun ${runtime.Bun.version}`;
  return `Node ${process.versions.node}`;
}

/** Whether Deno runs this test: the store refuses Deno unless told to allow it. */
export const ON_DENO = runtimeName().startsWith("Deno");

/**
 * Store options for the transport checks: they run on Deno too, to show what
 * works there, so they allow the runtime the store refuses by default.
 */
export const TRANSPORT_STORE_OPTIONS: CreateEventStoreDbStoreOptions = {
  unsupportedRuntime: "allow",
};

/**
 * Ends a stand-in: gracefully (it sends GOAWAY) where the runtime survives
 * that; on Deno by killing it, since a GOAWAY on an idle connection can crash
 * the very process running this test (goaway_child.ts shows it).
 */
export async function endStandIn(standin: StandIn | undefined): Promise<void> {
  await standin?.stop({ crash: ON_DENO });
}
