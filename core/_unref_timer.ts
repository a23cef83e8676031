// A timer that does not by itself keep the process alive, where the runtime
// can say so: Node and Bun put unref() on the timer object (Deno 2 does too,
// but measured here, an unref'd timer still holds a Deno process until it
// fires); Deno's older number ids take Deno.unrefTimer; other runtimes
// (workers, browsers) have no such notion and need none. Looked up on
// globalThis, not imported, so core stays free of runtime imports.

/** Lets the process exit while `timer` is pending, where the runtime can say so. */
export function unrefTimer(timer: ReturnType<typeof setTimeout>): void {
  const handle = timer as unknown as { unref?: () => void };
  if (typeof handle?.unref === "function") {
    handle.unref();
    return;
  }
  const deno = (globalThis as { Deno?: { unrefTimer?: (id: number) => void } }).Deno;
  if (typeof timer === "number") deno?.unrefTimer?.(timer);
}
