// Reads Server-Sent Events from a response body, as the HTML living standard
// parses them: lines end with CRLF, LF or CR; a blank line ends a frame;
// `:` starts a comment; `data` lines join with "\n"; one space after the
// colon is dropped. Only what ordo's client needs: no `retry` handling.

/** One dispatched frame. */
export interface SseFrame {
  /** `message` unless the frame named another type. */
  readonly event: string;
  readonly data: string;
  /** The frame's own `id:` line, if it had one. */
  readonly id: string | undefined;
}

/**
 * Yields each frame of `body` as it completes; ends when the body ends, or
 * when `signal` aborts.
 */
export async function* readSse(
  body: ReadableStream<Uint8Array>,
  signal?: AbortSignal,
): AsyncGenerator<SseFrame> {
  const decoder = new TextDecoder();
  const reader = body.getReader();
  // The fetch's own signal is meant to error its body, but undici now and
  // then leaves a read pending after the abort (about one stop in a few
  // hundred, more under load), and stop() then waits forever. Cancelling the
  // reader ends a pending read at once, whatever fetch does.
  const cancel = () => void reader.cancel().catch(() => {});
  if (signal?.aborted) cancel();
  else signal?.addEventListener("abort", cancel, { once: true });
  let buffer = "";
  let data: string[] = [];
  let event = "";
  let id: string | undefined;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      buffer += done ? decoder.decode() : decoder.decode(value, { stream: true });
      let start = 0;
      for (;;) {
        let end = start;
        while (end < buffer.length && buffer[end] !== "\n" && buffer[end] !== "\r") end++;
        if (end === buffer.length) break;
        // A CR at the end of what arrived may be the first half of a CRLF: wait for more.
        if (buffer[end] === "\r" && end + 1 === buffer.length && !done) break;
        const line = buffer.slice(start, end);
        start = end + (buffer[end] === "\r" && buffer[end + 1] === "\n" ? 2 : 1);
        if (line === "") {
          if (data.length > 0) {
            yield { event: event === "" ? "message" : event, data: data.join("\n"), id };
          }
          data = [];
          event = "";
          id = undefined;
          continue;
        }
        if (line.startsWith(":")) continue;
        const colon = line.indexOf(":");
        const field = colon === -1 ? line : line.slice(0, colon);
        let fieldValue = colon === -1 ? "" : line.slice(colon + 1);
        if (fieldValue.startsWith(" ")) fieldValue = fieldValue.slice(1);
        if (field === "data") data.push(fieldValue);
        else if (field === "event") event = fieldValue;
        else if (field === "id" && !fieldValue.includes("\0")) id = fieldValue;
      }
      buffer = buffer.slice(start);
      if (done) return;
    }
  } finally {
    signal?.removeEventListener("abort", cancel);
    await reader.cancel().catch(() => {});
  }
}
