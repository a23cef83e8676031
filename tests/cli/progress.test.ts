// `ordo rebuild`'s progress: a bar redrawn in place on a terminal, plain
// lines at most once a second when piped, a summary at the end.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RebuildProgress } from "../../core/mod.ts";
import { ProgressReport } from "../../cli/_progress.ts";
import type { CliIo } from "../../cli/mod.ts";

function io(isTTY: boolean, written: string[]): CliIo {
  return {
    out: () => {},
    err: (text) => void written.push(text),
    isTTY,
    columns: 80,
    env: {},
    signal: new AbortController().signal,
    cwd: ".",
  };
}

const at = (processed: number, total: number): RebuildProgress => ({
  processed,
  total,
  fraction: processed / total,
  rate: 250,
  etaMs: ((total - processed) / 250) * 1000,
  elapsedMs: (processed / 250) * 1000,
  position: BigInt(processed + 1),
  target: BigInt(total),
  parked: 0,
});

describe("rebuild progress", () => {
  it("on a terminal, draws one bar in place: count, share, rate and ETA", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(true, written), "totals", false);
    report.update(at(500, 1000));
    report.finish(at(1000, 1000));
    assert.equal(
      written[0],
      `\r[${"#".repeat(12)}${"-".repeat(12)}] 500/1000 50% 250 msg/s ETA 2s\x1b[K`,
    );
    assert.equal(written[1], `\r[${"#".repeat(24)}] 1000/1000 100% 250 msg/s ETA 0s\x1b[K\n`);
    assert.equal(
      written[2],
      'Group "totals" rebuilt up to position 1001: 1000 messages in 4.0 s (250 msg/s)\n',
    );
  });

  it("piped, writes plain lines, at most one a second, and no control characters", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), "totals", false);
    report.update(at(100, 1000));
    report.update(at(200, 1000));
    report.finish(at(1000, 1000));
    assert.deepEqual(written, [
      "rebuild totals: 100/1000 10% 250 msg/s ETA 4s\n",
      'Group "totals" rebuilt up to position 1001: 1000 messages in 4.0 s (250 msg/s)\n',
    ]);
  });

  it("the summary says how many messages were parked, and where to see them", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), "ticks-fail", false);
    report.finish({ ...at(2500, 2500), parked: 1 });
    assert.deepEqual(written, [
      'Group "ticks-fail" rebuilt up to position 2501: 2500 messages in 10.0 s (250 msg/s), 1 parked: see ordo parked ticks-fail\n',
    ]);
  });

  it("with --json, writes nothing: the result is the one JSON document", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), "totals", true);
    report.update(at(100, 1000));
    report.finish(at(1000, 1000));
    assert.deepEqual(written, []);
  });
});
