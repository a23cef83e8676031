// A request body's bytes, read under the handler's size limit: refused at
// once when `Content-Length` says it is too large, otherwise as soon as the
// bytes read pass the limit, so an oversized body is never held whole.

import { bodyTooLarge } from "./_refusals.ts";

const EMPTY = new Uint8Array(0);

/** A Web Request's body, refused with 413 past `limit` bytes. */
export async function readWebRequestBody(request: Request, limit: number): Promise<Uint8Array> {
  const declared = request.headers.get("content-length");
  if (declared !== null && Number(declared) > limit) throw bodyTooLarge(Number(declared), limit);
  if (request.body === null) return EMPTY;
  // A declared length is enforced by the HTTP framing itself: read it in one go.
  if (declared !== null) return new Uint8Array(await request.arrayBuffer());
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > limit) {
      await reader.cancel().catch(() => {});
      throw bodyTooLarge(total, limit);
    }
    chunks.push(value);
  }
  return concatChunks(chunks, total);
}

/** The chunks as one array of `total` bytes. */
export function concatChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0];
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return body;
}
