/**
 * Cold start per function: the size of its bundle (built as `sam build` builds it: esbuild, minified ESM,
 * the layer's packages external) and the time a fresh Node process takes to import it (which builds its
 * clients and validates its configuration at module load), minus the time of an empty Node start.
 * Medians of alternating runs. Informational: a growing bundle or import shows here first.
 */
import { execFileSync } from "node:child_process";
import { rmSync, statSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";
import { loadTemplate } from "../lib/cfn-yaml";
import { esbuildOptions, type SamBuildProperties } from "../lib/sam-esbuild";
import { freshBuildDir } from "./build-dir";
import { percentile, type Result } from "./measure";

/** Environment each function validates at cold start: placeholders of the right shape. */
const ENV: Record<string, string> = {
  AWS_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "example",
  STAGE: "dev",
  POWERTOOLS_METRICS_DISABLED: "true",
  POWERTOOLS_LOG_LEVEL: "SILENT",
  OPENSEARCH_ENDPOINT: "https://search.example:443",
  OPENSEARCH_AUTH: "iam",
  DLQ_URL: "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq",
  INDEX_PREFIX: "dev-",
  DB_HOST: "proxy.example",
  DB_PORT: "5432",
  DB_NAME: "postgres",
  DB_USER: "cdc_producer",
  DB_CLUSTER_IDENTIFIER: "cdc-aurora-dev",
  PRODUCER_API_ID: "api1",
  DMS_TASK_IDENTIFIER: "cdc-dev",
  MASTER_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-abc-AbCdEf",
  DMS_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/dev/dms-db-AbCdEf",
  DMS_USER: "cdc_dms",
  PRODUCER_SECRET_ARN: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/dev/producer-db-AbCdEf",
  PRODUCER_USER: "cdc_producer",
};

function timeImport(file: string | undefined, runs: number): number[] {
  const times: number[] = [];
  const script = file ? `await import(${JSON.stringify(file)})` : "";
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    execFileSync(process.execPath, ["--input-type=module", "-e", script], {
      env: { ...process.env, ...ENV },
    });
    times.push(performance.now() - started);
  }
  return times;
}

export async function coldStartBenchmarks(runs = 7): Promise<Result[]> {
  const template = loadTemplate("template.yaml");
  const dir = freshBuildDir("cold-start");
  const results: Result[] = [];
  try {
    for (const [id, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== "AWS::Serverless::Function") continue;
      const props = resource.Metadata?.BuildProperties as SamBuildProperties;
      const outfile = join(dir, `${id}.mjs`);
      await build({ ...esbuildOptions(props), outfile });
      const empty: number[] = [];
      const loaded: number[] = [];
      for (let i = 0; i < runs; i++) {
        empty.push(...timeImport(undefined, 1));
        loaded.push(...timeImport(outfile, 1));
      }
      const importMs = Math.max(0, percentile(loaded, 50) - percentile(empty, 50));
      results.push({
        name: `cold start ${id}`,
        measure: `import of its ${Math.round(statSync(outfile).size / 1024)} KiB bundle minus an empty Node start (ms)`,
        subject: importMs,
        baseline: percentile(empty, 50),
        unit: "ms",
      });
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
