/**
 * `npm run verify`: compares every table in config/pipeline.yaml with its indices and exits 1 on any
 * missing, extra or differing document. Uses the running `npm start`, or DATABASE_URL + OPENSEARCH_URL
 * (+ INDEX_PREFIX) when set.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Client } from "@opensearch-project/opensearch";
import { parsePipelineConfig } from "../shared/pipeline-config";
import { projectRoot } from "./lib/sam-function";
import { readStackFile } from "./local-stack/stack-file";
import { verify } from "./local-stack/verify";

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
  for (const u of report.unindexable)
    console.log(`note ${u.table} ${u.key}: refused by the indexer's rules (${u.reason})`);
  for (const d of report.differences.slice(0, 20))
    console.log(
      `  ${d.kind.padEnd(7)} ${d.index}/${d.id}${d.kind === "differs" ? ` expected ${JSON.stringify(d.expected)} found ${JSON.stringify(d.actual)}` : ""}`,
    );
  if (report.differences.length > 20) console.log(`  ... and ${report.differences.length - 20} more`);
  process.exitCode = report.differences.length === 0 ? 0 : 1;
} finally {
  await search.close();
}
