// Name-based UUIDs (RFC 9562 version 5: SHA-1 over a namespace UUID and a
// name), computed with Web Crypto so the same code runs on Deno, Bun, Node and
// edge isolates. The services derive the id of every message they write in
// reaction to another message from that message's id: a redelivery after a
// crash writes the same id again, and the store's idempotent append keeps the
// first copy only.
import { ValidationError } from "../../mod.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The version-5 UUID of `name` in `namespace` (itself a UUID): the same
 * inputs give the same id on every runtime, different inputs practically never
 * collide.
 *
 * @throws {ValidationError} when `namespace` is not a UUID
 * @example
 * ```ts
 * import { nameBasedId } from "./name_based_id.ts";
 * const dns = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
 * console.log(await nameBasedId(dns, "www.example.com")); // 2ed6657d-e927-568b-95e1-2665a8aea6a2
 * ```
 */
export async function nameBasedId(namespace: string, name: string): Promise<string> {
  if (typeof namespace !== "string" || !UUID.test(namespace)) {
    throw new ValidationError("namespace", namespace, "must be a UUID");
  }
  if (typeof name !== "string") throw new ValidationError("name", name, "must be a string");
  const nameBytes = new TextEncoder().encode(name);
  const input = new Uint8Array(16 + nameBytes.length);
  input.set(uuidBytes(namespace), 0);
  input.set(nameBytes, 16);
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-1", input), 0, 16);
  hash[6] = (hash[6] & 0x0f) | 0x50; // version 5
  hash[8] = (hash[8] & 0x3f) | 0x80; // the RFC variant
  const hex = Array.from(hash, (byte) => byte.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${
    hex.slice(20)
  }`;
}

function uuidBytes(uuid: string): Uint8Array {
  const hex = uuid.replaceAll("-", "");
  return Uint8Array.from({ length: 16 }, (_, i) => parseInt(hex.slice(2 * i, 2 * i + 2), 16));
}
