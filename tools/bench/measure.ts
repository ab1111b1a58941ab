/** Timing and reporting for `npm run bench`: medians of repeated runs, compared as ratios. */

export type Result = {
  name: string;
  /** What the ratio means, e.g. "indexer CPU per batch / parse-only baseline". */
  measure: string;
  subject: number;
  baseline: number;
  unit: string;
  /** The ratio must stay at or below this; none: reported, not judged. */
  target?: number;
  /** Figures other computations use (kept in latest.json), e.g. CPU ms per record. */
  details?: Record<string, number>;
};

/**
 * Medians of a subject and its baseline, run alternately so that both see the same machine state
 * (JIT, GC, CPU frequency, neighbours) and the ratio is fair.
 */
export async function compare(
  runs: number,
  subject: () => Promise<unknown> | unknown,
  baseline: () => Promise<unknown> | unknown,
  warmup = 50,
): Promise<{ subject: number; baseline: number }> {
  for (let i = 0; i < warmup; i++) {
    await subject();
    await baseline();
  }
  const times = { subject: [] as number[], baseline: [] as number[] };
  for (let i = 0; i < runs; i++) {
    for (const [key, fn] of [
      ["subject", subject],
      ["baseline", baseline],
    ] as const) {
      const started = performance.now();
      await fn();
      times[key].push(performance.now() - started);
    }
  }
  return { subject: percentile(times.subject, 50), baseline: percentile(times.baseline, 50) };
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Full collections only work with --expose-gc (the npm script passes it). */
export function collect(): void {
  (globalThis as { gc?: () => void }).gc?.();
}

/** One line per result, and whether every target was met. */
export function report(results: Result[]): { lines: string[]; ok: boolean } {
  const lines = results.map((r) => {
    const ratio = r.subject / r.baseline;
    const pass = r.target === undefined || ratio <= r.target;
    return (
      `${pass ? "ok  " : "FAIL"} ${r.name.padEnd(28)} ${ratio.toFixed(2).padStart(6)}x  (${r.target === undefined ? "info" : `target <= ${r.target}x`})  ` +
      `${r.subject.toFixed(2)} vs ${r.baseline.toFixed(2)} ${r.unit}: ${r.measure}`
    );
  });
  return { lines, ok: lines.every((line) => line.startsWith("ok")) };
}
