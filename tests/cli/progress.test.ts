// `ordo rebuild`'s progress: a bar redrawn in place on a terminal, plain
// lines at most once a second when piped, a summary at the end.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { RebuildProgress } from "../../core/mod.ts";
import { ProgressReport } from "../../cli/_progress.ts";
import type { CliIo } from "../../cli/mod.ts";

function io(isTTY: boolean, written: string[], signal = new AbortController().signal): CliIo {
  return {
    out: () => {},
    err: (text) => void written.push(text),
    isTTY,
    columns: 80,
    env: {},
    signal,
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
    const report = new ProgressReport(io(true, written), {
      group: "totals",
      quiet: false,
      unit: "position",
    });
    report.update(at(500, 1000));
    report.finish(at(1000, 1000));
    assert.equal(
      written[0],
      `\r[${"#".repeat(12)}${"-".repeat(12)}] 500/1000 50% 250 msg/s ETA 2s\x1b[K`,
    );
    assert.equal(written[1], `\r[${"#".repeat(24)}] 1000/1000 100% 250 msg/s ETA 0s\x1b[K\n`);
    assert.equal(
      written[2],
      'Group "totals" rebuilt up to position 1000: 1000 messages in 4.0 s (250 msg/s)\n',
    );
  });

  it("piped, writes plain lines, at most one a second, and no control characters", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), {
      group: "totals",
      quiet: false,
      unit: "position",
    });
    report.update(at(100, 1000));
    report.update(at(200, 1000));
    report.finish(at(1000, 1000));
    assert.deepEqual(written, [
      "rebuild totals: 100/1000 10% 250 msg/s ETA 4s\n",
      'Group "totals" rebuilt up to position 1000: 1000 messages in 4.0 s (250 msg/s)\n',
    ]);
  });

  it("the summary says how many messages were parked, and where to see them", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), {
      group: "ticks-fail",
      quiet: false,
      unit: "position",
    });
    report.finish({ ...at(2500, 2500), parked: 1 });
    assert.deepEqual(written, [
      'Group "ticks-fail" rebuilt up to position 2500: 2500 messages in 10.0 s (250 msg/s), 1 parked: see ordo parked ticks-fail\n',
    ]);
  });

  it("the summary names the last message handled, not the checkpoint one past it", () => {
    const written: string[] = [];
    const stopping = new AbortController();
    const stream = new ProgressReport(io(false, written, stopping.signal), {
      group: "cart",
      quiet: false,
      unit: "version",
    });
    // A stream source's checkpoint is the next stream version: 5 messages handled, versions 0 to 4.
    stream.finish({ ...at(5, 5), position: 5n, target: 5n });
    stopping.abort();
    stream.finish({ ...at(1128, 3000), position: 1129n, target: 3001n });
    stream.finish({ ...at(0, 3000), position: 0n, target: 3001n });
    const empty = new ProgressReport(io(false, written), {
      group: "totals",
      quiet: false,
      unit: "position",
    });
    empty.finish({ ...at(0, 0), position: 0n, target: 0n, rate: 0, elapsedMs: 12 });
    assert.deepEqual(written, [
      'Group "cart" rebuilt up to version 4: 5 messages in 0.0 s (250 msg/s)\n',
      'Group "cart" stopped after version 1128: 1128 messages in 4.5 s (250 msg/s)\n',
      'Group "cart" stopped before its first message (0.0 s)\n',
      'Group "totals" rebuilt: no messages to replay (0.0 s)\n',
    ]);
  });

  it("with --json, writes nothing: the result is the one JSON document", () => {
    const written: string[] = [];
    const report = new ProgressReport(io(false, written), {
      group: "totals",
      quiet: true,
      unit: "position",
    });
    report.update(at(100, 1000));
    report.finish(at(1000, 1000));
    assert.deepEqual(written, []);
  });
});
