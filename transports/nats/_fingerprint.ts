// A command's content as one short string: the SHA-256 of its type and data as
// canonical JSON (keys in a fixed order), so the same command sent again is
// recognised whatever the order of its keys, and an id reused for another
// command is not. The ledger keeps it beside each command's outcome.
import { canonicalJson } from "../../core/mod.ts";

const encoder = new TextEncoder();

/** The fingerprint of a command's type and data. */
export async function fingerprint(type: string, data: unknown): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", encoder.encode(canonicalJson([type, data])));
  let hex = "";
  for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
