/**
 * `npm run bench [-- indexer|producer|freshness|redrive|cold-start ...]`: speed and memory targets as ratios measured in the
 * same run (never absolute times: machines differ). Prints one line per target; exits 1 if one is missed.
 */
import "../../operator/lib/text-import-hook";
import { coldStartBenchmarks } from "./cold-start";
import { freshnessBenchmarks } from "./freshness";
import { indexerBenchmarks } from "./indexer";
import { type Result, report } from "./measure";
import { producerBenchmarks } from "./producer";
import { redriveBenchmarks } from "./redrive";
import { saveResults } from "./results";

const suites: Record<string, () => Promise<Result[]>> = {
  indexer: indexerBenchmarks,
  producer: producerBenchmarks,
  freshness: () => freshnessBenchmarks(),
  redrive: () => redriveBenchmarks(),
  "cold-start": () => coldStartBenchmarks(),
};
const chosen = process.argv.slice(2);
const unknown = chosen.filter((name) => !(name in suites));
if (unknown.length > 0) {
  console.error(`unknown benchmark ${unknown.join(", ")}; choose from ${Object.keys(suites).join(", ")}`);
  process.exit(2);
}
if (!(globalThis as { gc?: unknown }).gc)
  console.error("note: run through `npm run bench` (--expose-gc) for the heap figures");

const results: Result[] = [];
for (const name of chosen.length > 0 ? chosen : Object.keys(suites)) {
  console.error(`running ${name} ...`);
  results.push(...(await (suites[name] as () => Promise<Result[]>)()));
}
const { lines, ok } = report(results);
// Only a full run replaces the kept results (a partial one would drop the other suites' figures).
if (chosen.length === 0) saveResults(results);
console.log(`\n${lines.join("\n")}`);
process.exit(ok ? 0 : 1);
