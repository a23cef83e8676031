// Timing helpers for the benchmarks: best of several rounds, as operations per second.

/** Runs `body` `rounds` times (after one warm-up round) and returns the best rate in operations per second. */
export async function bestRate(
  operations: number,
  rounds: number,
  body: () => unknown | Promise<unknown>,
): Promise<number> {
  await body();
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    await body();
    const seconds = (performance.now() - start) / 1000;
    best = Math.max(best, operations / seconds);
  }
  return best;
}

/**
 * Runs two bodies in alternating rounds (after a warm-up of each) and returns
 * each one's best rate: alternating gives both the same heap and machine
 * state, which matters more than anything else for a ratio.
 */
export async function bestRates(
  operations: number,
  rounds: number,
  first: () => unknown | Promise<unknown>,
  second: () => unknown | Promise<unknown>,
): Promise<[number, number]> {
  await first();
  await second();
  let bestFirst = 0;
  let bestSecond = 0;
  for (let r = 0; r < rounds; r++) {
    let start = performance.now();
    await first();
    bestFirst = Math.max(bestFirst, operations / ((performance.now() - start) / 1000));
    start = performance.now();
    await second();
    bestSecond = Math.max(bestSecond, operations / ((performance.now() - start) / 1000));
  }
  return [bestFirst, bestSecond];
}

/**
 * Runs several sides call by call, in turns (the order reversed every step,
 * after a warm-up call of each), and returns each side's rate over all its
 * calls in operations per second. A disk stall or a checkpoint then falls on
 * every side alike; in rounds of many calls it lands on whichever side runs
 * then, and a short scenario's ratio swings with it.
 */
export async function interleavedRates(
  operationsPerCall: number,
  steps: number,
  sides: readonly ((step: number) => Promise<unknown>)[],
): Promise<number[]> {
  for (const side of sides) await side(-1);
  const seconds = sides.map(() => 0);
  const order = sides.map((_, i) => i);
  for (let step = 0; step < steps; step++) {
    for (const i of step % 2 === 0 ? order : [...order].reverse()) {
      const start = performance.now();
      await sides[i](step);
      seconds[i] += (performance.now() - start) / 1000;
    }
  }
  return seconds.map((s) => (operationsPerCall * steps) / s);
}

/** One line of the results table. */
export interface BenchRow {
  readonly scenario: string;
  readonly ordo: number;
  readonly baseline: number;
  readonly baselineName: string;
  readonly unit: string;
  /** The ratio ordo / baseline the project holds itself to, if any. */
  readonly target?: number;
}

/** Prints rows as a table, then all of them as one JSON line for machines. */
export function report(rows: readonly BenchRow[]): void {
  // Small figures (milliseconds) keep two decimals; rates are whole numbers.
  const format = (
    n: number,
  ) => (n < 100 && !Number.isInteger(n) ? n.toFixed(2) : Math.round(n).toLocaleString("en-US"));
  const lines = rows.map((row) => {
    const ratio = row.ordo / row.baseline;
    const verdict = row.target === undefined
      ? ""
      : ratio >= row.target
      ? `  (target ≥${row.target}: met)`
      : `  (target ≥${row.target}: MISSED)`;
    return `${row.scenario.padEnd(44)} ${
      format(row.ordo).padStart(12)
    } ${row.unit}  vs ${row.baselineName} ${format(row.baseline).padStart(12)}  = ${
      ratio.toFixed(2)
    }×${verdict}`;
  });
  console.log(lines.join("\n"));
  console.log(JSON.stringify({
    bench: rows.map((row) => ({ ...row, ratio: Number((row.ordo / row.baseline).toFixed(3)) })),
  }));
}

/** The value at fraction `p` (0.5 for the median, 0.99 for p99) of `sorted`, ascending. */
export function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}
