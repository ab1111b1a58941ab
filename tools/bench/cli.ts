/**
 * `npm run bench [-- indexer|producer|freshness|redrive|lanes|cold-start ...]`: speed and memory targets as ratios measured in the
 * same run (never absolute times: machines differ). Prints one line per target; exits 1 if one is missed.
 */
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import "../../operator/lib/text-import-hook";
import { commandArgs, usageError } from "../../operator/lib/command-args";
import { sweepAbandonedFolders } from "../lib/abandoned-postgres";
import { coldStartBenchmarks } from "./cold-start";
import { freshnessBenchmarks } from "./freshness";
import { indexerBenchmarks } from "./indexer";
import { laneBenchmarks } from "./lanes";
import { type Result, report } from "./measure";
import { producerBenchmarks } from "./producer";
import { redriveBenchmarks } from "./redrive";
import { saveResults } from "./results";
import { sizingFrom } from "./sizing-report";

exitOnClosedPipe();

const suites: Record<string, () => Promise<Result[]>> = {
  indexer: indexerBenchmarks,
  producer: producerBenchmarks,
  freshness: () => freshnessBenchmarks(),
  redrive: () => redriveBenchmarks(),
  lanes: () => laneBenchmarks(),
  "cold-start": () => coldStartBenchmarks(),
};
const USAGE = `usage: npm run bench [-- <suite>...]
  runs every suite (${Object.keys(suites).join(", ")}), or the ones named; prints one line per
  target and exits 1 if one is missed; a full run keeps its figures in bench/results/`;
const chosen = commandArgs(USAGE, { allowPositionals: true, options: {} }).positionals;
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length > 0)
  usageError(USAGE, `unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(suites).join(", ")}`);
if (!(globalThis as { gc?: unknown }).gc)
  console.error("note: run through `npm run bench` (--expose-gc) for the heap figures");

// What an interrupted or killed run left (its PostgreSQL servers run in their own process group).
await sweepAbandonedFolders(/^cdc-bench-(?:pg|stack)-(\d+)$/);
const results: Result[] = [];
for (const name of chosen.length > 0 ? chosen : Object.keys(suites)) {
  console.error(`running ${name} ...`);
  results.push(...(await (suites[name] as () => Promise<Result[]>)()));
}
const { lines, ok } = report(results);
const sizing = sizingFrom(results);
// Only a full run replaces the kept results (a partial one would drop the other suites' figures).
if (chosen.length === 0) saveResults(results, sizing && { sizing });
console.log(`\n${lines.join("\n")}`);
if (sizing)
  console.log(
    [
      "\nSizing (docs/sizing.md), per stage:",
      ...sizing.stages,
      "\nBatching window at 100 changes/s on a shard:",
      ...sizing.window,
      "\nCeilings with the template's settings (changes/s):",
      ...sizing.ceilings,
    ].join("\n"),
  );
process.exit(ok ? 0 : 1);
