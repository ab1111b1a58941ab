/** `npm run demo`: the demo workload against the running `npm start` (see tools/local-stack/demo.ts). */
import { exitOnClosedPipe } from "../../operator/lib/closed-pipe";
import { commandArgs } from "../../operator/lib/command-args";
import { readStackFile } from "../../operator/lib/local-stack-file";
import { pipelineConfigPath, readPipelineConfig } from "../../operator/lib/pipeline-config-path";
import { localSearchClient } from "../../operator/lib/search-client";
import { runDemo } from "./demo";

exitOnClosedPipe();

commandArgs(
  `usage: npm run demo
  writes a mix of inserts, updates and deletes into the running npm start's tables and prints sample
  searches with their measured latency (run it as often as you like)`,
  {},
);
const stack = readStackFile();
if (!stack) {
  console.error("demo: no running stack; start one with `npm start` (or run `npm start -- --demo`)");
  process.exit(2);
}
const search = localSearchClient(stack.opensearchUrl, { caFile: stack.opensearchCaFile });
try {
  await runDemo({
    databaseUrl: stack.databaseUrl,
    search,
    // The config the stack was started with, as the other commands read it.
    pipeline: readPipelineConfig(pipelineConfigPath(stack), stack.indexPrefix),
    indexPrefix: stack.indexPrefix,
    print: console.log,
  });
} catch (error) {
  // One line a person can act on, not a driver's error dump.
  const e = error as Error & { code?: string; detail?: string };
  console.error(`demo failed: ${e.message}${e.code ? ` (${e.code})` : ""}`);
  process.exitCode = 1;
} finally {
  await search.close();
}
