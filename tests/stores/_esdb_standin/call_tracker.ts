// Reports each call the stand-in receives, and its end when the client (or
// the client's deadline) ended it before the stand-in answered. grpc-js emits
// "cancelled" whenever the HTTP/2 stream closes, so a close after the
// stand-in's own answer is not reported: a "cancelled" record always means
// the client side gave up on the call.
import type * as grpcTypes from "@grpc/grpc-js";

/** One line of the stand-in's report. */
export type Report = (record: Record<string, unknown>) => void;

/** The part of a grpc-js server call the tracker needs. */
export interface TrackedCall {
  on(event: "cancelled", listener: () => void): unknown;
  getDeadline(): grpcTypes.Deadline;
}

export interface CallTracker {
  /** Reports the call (with whether it carries a deadline) and returns its id. */
  started(call: TrackedCall, record: Record<string, unknown>): number;
  /** Marks the call answered by the stand-in. */
  finish(id: number): void;
  readonly report: Report;
}

export function createCallTracker(report: Report): CallTracker {
  let calls = 0;
  const finished = new Set<number>();
  return {
    report,
    started(call, record) {
      const id = ++calls;
      report({
        event: "call",
        id,
        deadline: Number.isFinite(Number(call.getDeadline())),
        ...record,
      });
      call.on("cancelled", () => {
        if (!finished.has(id)) report({ event: "cancelled", id });
      });
      return id;
    },
    finish: (id) => void finished.add(id),
  };
}
