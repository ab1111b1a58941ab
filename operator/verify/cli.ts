/**
 * `npm run verify [-- --accept-refused]`: compares every table in config/pipeline.yaml with its indices
 * and exits 1 on any missing, extra or differing document, and on rows the indexer's rules refuse (they
 * are missing from the index too; `--accept-refused` accepts those). Uses the running `npm start`, or
 * DATABASE_URL + OPENSEARCH_URL (+ INDEX_PREFIX) when set.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { Client } from "@opensearch-project/opensearch";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { readStackFile } from "../lib/local-stack-file";
import { projectRoot } from "../lib/project-root";
import { verify } from "./verify";

const USAGE = `usage: npm run verify [-- --accept-refused]
  compares every table of config/pipeline.yaml with its indices (the running npm start, or
  DATABASE_URL + OPENSEARCH_URL [+ INDEX_PREFIX]); exits 1 on any difference
  --accept-refused   rows the indexer's rules refuse (dead-lettered) do not fail the check`;
let flags: { "accept-refused"?: boolean; help?: boolean };
try {
  flags = parseArgs({
    options: { "accept-refused": { type: "boolean" }, help: { type: "boolean", short: "h" } },
  }).values;
} catch (error) {
  console.error(`${(error as Error).message}\n${USAGE}`);
  process.exit(2);
}
if (flags.help) {
  console.log(USAGE);
  process.exit(0);
}

const running = readStackFile();
const databaseUrl = process.env.DATABASE_URL ?? running?.databaseUrl;
const opensearchUrl = process.env.OPENSEARCH_URL ?? running?.opensearchUrl;
if (!databaseUrl || !opensearchUrl) {
  console.error("verify: no running stack; start `npm start` or set DATABASE_URL and OPENSEARCH_URL");
  process.exit(2);
}
const indexPrefix = process.env.INDEX_PREFIX ?? running?.indexPrefix ?? "";
const configPath = process.env.PIPELINE_CONFIG ?? join(projectRoot(), "config", "pipeline.yaml");
const pipeline = parsePipelineConfig(readFileSync(configPath, "utf8"), { indexPrefix, source: configPath });
const search = new Client({ node: opensearchUrl, ssl: { rejectUnauthorized: false } });
try {
  const report = await verify({ databaseUrl, search, pipeline });
  for (const i of report.indices)
    console.log(
      `${i.differences === 0 ? "ok  " : "DIFF"} ${i.index}: ${i.expected} expected, ${i.actual} found, ${i.differences} differences`,
    );
  for (const t of report.skippedTables) console.log(`skip ${t}: not in the database`);
  if (report.unindexable.length > 0) {
    console.log(
      `refused: ${report.unindexable.length} row(s) the indexer's rules refuse, so missing from the index (see the DLQ, npm run redrive)`,
    );
    for (const u of report.unindexable.slice(0, 20)) console.log(`  ${u.table} ${u.key}: ${u.reason}`);
    if (report.unindexable.length > 20) console.log(`  ... and ${report.unindexable.length - 20} more`);
  }
  for (const d of report.differences.slice(0, 20))
    console.log(
      `  ${d.kind.padEnd(7)} ${d.index}/${d.id}${d.kind === "differs" ? ` expected ${JSON.stringify(d.expected)} found ${JSON.stringify(d.actual)}` : ""}`,
    );
  if (report.differences.length > 20) console.log(`  ... and ${report.differences.length - 20} more`);
  const refusedFail = report.unindexable.length > 0 && !flags["accept-refused"];
  if (refusedFail) console.log("refused rows fail the check; --accept-refused accepts them");
  process.exitCode = report.differences.length === 0 && !refusedFail ? 0 : 1;
} finally {
  await search.close();
}
