/**
 * `npm run bench` keeps its results: bench/results/latest.json (every figure, the machine, the date) and
 * bench/results/latest.svg, a bar chart of the ratios against their targets a person can look at.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Result } from "./measure";

const escapeXml = (text: string) => text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

/** A horizontal bar per result: its ratio, and its target as a tick (ratios are capped at 10 for the scale). */
export function chart(results: Result[]): string {
  const row = 26;
  const labelWidth = 250;
  const barWidth = 420;
  const max = Math.min(
    10,
    Math.max(1, ...results.map((r) => Math.max(r.subject / r.baseline, r.target ?? 0))),
  );
  const x = (ratio: number) => labelWidth + (Math.min(ratio, max) / max) * barWidth;
  const bars = results.map((r, i) => {
    const ratio = r.subject / r.baseline;
    const y = 30 + i * row;
    const ok = r.target === undefined || ratio <= r.target;
    const target =
      r.target === undefined
        ? ""
        : `<line x1="${x(r.target)}" x2="${x(r.target)}" y1="${y - 2}" y2="${y + 18}" stroke="#222" stroke-width="2"/>`;
    return [
      `<text x="${labelWidth - 8}" y="${y + 13}" text-anchor="end" font-size="12">${escapeXml(r.name)}</text>`,
      `<rect x="${labelWidth}" y="${y}" width="${x(ratio) - labelWidth}" height="16" fill="${ok ? "#4a8" : "#d54"}"/>`,
      target,
      `<text x="${x(ratio) + 6}" y="${y + 13}" font-size="12">${ratio.toFixed(2)}x</text>`,
    ].join("");
  });
  const height = 40 + results.length * row;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${labelWidth + barWidth + 80}" height="${height}" font-family="sans-serif" role="img">
<title>npm run bench: each result's ratio against its target</title>
<text x="10" y="18" font-size="13" font-weight="bold">npm run bench: subject / baseline (lower is better; black tick = target)</text>
${bars.join("\n")}
</svg>
`;
}

export function saveResults(
  results: Result[],
  extra: Record<string, unknown> = {},
  directory = join("bench", "results"),
): void {
  mkdirSync(directory, { recursive: true });
  const machine = {
    cpus: cpus().length,
    cpu: cpus()[0]?.model,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const figures = results.map((r) => ({
    ...r,
    ratio: r.subject / r.baseline,
    met: r.target === undefined || r.subject / r.baseline <= r.target,
  }));
  writeFileSync(
    join(directory, "latest.json"),
    `${JSON.stringify({ date: new Date().toISOString(), machine, results: figures, ...extra }, null, 2)}\n`,
  );
  writeFileSync(join(directory, "latest.svg"), chart(results));
}
