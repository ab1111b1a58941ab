/**
 * `npm run verify [-- --accept-refused] [--second-look <s>] [--config-env <stage>]`: compares every table
 * in config/pipeline.yaml with its indices and exits 1 on any missing, extra or differing document (still
 * there on a second look after a few seconds, so changes in flight do not count), and on
 * rows the indexer's rules refuse (they are missing from the index too; `--accept-refused` accepts
 * those). Uses the running `npm start`, DATABASE_URL + OPENSEARCH_URL (+ INDEX_PREFIX), or a deployed
 * stage's outputs (SigV4 to its domain, TLS to its cluster as the read-only DMS user).
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { Client } from "@opensearch-project/opensearch";
import type pg from "pg";
import { readLoginSecret } from "../../shared/login-secret";
import { createOpenSearchClient } from "../../shared/opensearch-client";
import { idleLimitedHandler } from "../lib/aws-http";
import { exitOnClosedPipe } from "../lib/closed-pipe";
import { commandArgs, usageError } from "../lib/command-args";
import { readStackFile } from "../lib/local-stack-file";
import { pipelineConfigPath, readPipelineConfig } from "../lib/pipeline-config-path";
import { ProgressLine } from "../lib/progress-line";
import { projectRoot } from "../lib/project-root";
import { localSearchClient, searchFailure } from "../lib/search-client";
import { readStackOutputs } from "../lib/targets";
import { repairCommand } from "../reload/rebuild";
import { SECOND_LOOK_MAX, type VerifyProgress, verify } from "./verify";

exitOnClosedPipe();

const USAGE = `usage: npm run verify [-- [<schema.table>...] [--accept-refused] [--second-look <s>] [--config-env <stage> [--db-host <host>] [--db-port <port>]]]
  compares every table of config/pipeline.yaml (or the ones named) with its indices and exits 1 on any
  difference:
  the running npm start, or DATABASE_URL + OPENSEARCH_URL [+ INDEX_PREFIX], or a deployed stage
  --config-env <stage>  the stage's stack outputs: its domain (SigV4) and its cluster, logged in as the
                        DMS user (read-only on the captured tables; password from its secret). Run it
                        where the VPC is reachable (docs/deploy.md, "Operating a stage"); TLS to the
                        cluster is verified with the RDS CA bundle in PGSSLROOTCERT
  --db-host, --db-port  reach the cluster through a tunnel (the certificate is still checked for the
                        cluster's name)
  --accept-refused      rows the indexer's rules refuse (dead-lettered) do not fail the check
  --second-look <s>     wait this long, then look at each difference again, so changes still on their
                        way to the index are not reported (default 5 s, 30 s with --config-env; 0: no
                        second look)
  --quiet               no progress lines on stderr`;
const { values: flags, positionals: tables } = commandArgs(USAGE, {
  allowPositionals: true,
  options: {
    "accept-refused": { type: "boolean" },
    "second-look": { type: "string" },
    quiet: { type: "boolean", short: "q" },
    "config-env": { type: "string" },
    "db-host": { type: "string" },
    "db-port": { type: "string" },
  },
});

const secondLookText = flags["second-look"] ?? (flags["config-env"] ? "30" : "5");
const secondLookSeconds = Number(secondLookText);
if (!/^\d+(\.\d+)?$/.test(secondLookText) || secondLookSeconds > 600)
  usageError(USAGE, `--second-look takes seconds, 0 to 600 (got "${secondLookText}")`);

type Targets = {
  database: string | pg.ClientConfig;
  search: Client;
  indexPrefix: string;
  /** The routing config to read (operator/lib/pipeline-config-path.ts). */
  configPath: string;
};

/** A deployed stage, from its stack's outputs. */
async function stageTargets(configEnv: string): Promise<Targets> {
  const { region, outputs } = await readStackOutputs(configEnv, {
    samconfigPath: join(projectRoot(), "samconfig.toml"),
  });
  const need = ["SearchDomainEndpoint", "DbClusterEndpoint", "DmsDbSecretArn", "IndexPrefix"] as const;
  const missing = need.filter((k) => outputs[k] === undefined);
  if (missing.length)
    throw new Error(`the stack has no ${missing.join(", ")} output(s): deploy the current template`);
  const ca = process.env.PGSSLROOTCERT;
  if (!ca)
    throw new Error(
      "set PGSSLROOTCERT to the RDS CA bundle (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem) to verify the cluster's certificate",
    );
  const secrets = new SecretsManagerClient({ region, requestHandler: idleLimitedHandler() });
  const { SecretString } = await secrets.send(
    new GetSecretValueCommand({ SecretId: outputs.DmsDbSecretArn }),
  );
  const login = loginOf(SecretString, outputs.DmsDbSecretArn as string);
  const host = outputs.DbClusterEndpoint as string;
  return {
    database: {
      host: flags["db-host"] ?? host,
      port: Number(flags["db-port"] ?? 5432),
      database: outputs.DbName ?? "postgres",
      user: login.username,
      password: login.password,
      ssl: { rejectUnauthorized: true, servername: host, ca: caBundle(ca) },
      application_name: "cdc-verify",
    },
    // Documents are data: a `__proto__` column is a field (see operator/lib/search-client.ts).
    search: createOpenSearchClient(
      { endpoint: outputs.SearchDomainEndpoint as string, auth: "iam", region },
      { exactNumbers: true },
    ),
    indexPrefix: outputs.IndexPrefix === "none" ? "" : (outputs.IndexPrefix as string),
    configPath: pipelineConfigPath(),
  };
}

/** The CA bundle PGSSLROOTCERT names, or what is wrong with it. */
function caBundle(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    throw new Error(
      `PGSSLROOTCERT=${path} cannot be read (${(error as NodeJS.ErrnoException).code}): set it to the RDS CA bundle`,
      { cause: error },
    );
  }
}

/** The DMS user's login from its secret (shared/login-secret.ts), or what is wrong with it. */
function loginOf(secret: string | undefined, arn: string): { username: string; password: string } {
  const read = readLoginSecret(secret, `the secret ${arn}`);
  if (!read.ok) throw new Error(read.reason);
  return read.login;
}

/** The running local stack, or DATABASE_URL + OPENSEARCH_URL. */
function localTargets(): Targets {
  const running = readStackFile();
  // Set but empty (`export DATABASE_URL=`) is unset, as npm start and db:migrate read it.
  const databaseUrl = process.env.DATABASE_URL || running?.databaseUrl;
  const opensearchUrl = process.env.OPENSEARCH_URL || running?.opensearchUrl;
  if (!databaseUrl || !opensearchUrl)
    throw new Error(
      "no running stack; start `npm start`, set DATABASE_URL and OPENSEARCH_URL, or use --config-env",
    );
  return {
    database: databaseUrl,
    search: localSearchClient(opensearchUrl, {
      exactNumbers: true,
      // The running stack's cluster: trusted as the stack trusts it (not one named by OPENSEARCH_URL here).
      caFile: process.env.OPENSEARCH_URL ? undefined : running?.opensearchCaFile,
    }),
    indexPrefix: process.env.INDEX_PREFIX ?? running?.indexPrefix ?? "",
    configPath: pipelineConfigPath(running),
  };
}

let targets: Targets;
try {
  targets = flags["config-env"] ? await stageTargets(flags["config-env"]) : localTargets();
} catch (error) {
  console.error(`verify: ${(error as Error).message}`);
  process.exit(2);
}
const pipeline = readPipelineConfig(targets.configPath, targets.indexPrefix);
const search = targets.search;
const progressLine = new ProgressLine();
const progress = (p: VerifyProgress) => {
  if (flags.quiet) return;
  if (p.table) progressLine.update(p.table, `  ${p.table}: ${p.rows?.toLocaleString("en")} rows checked`);
  else
    progressLine.update(
      `index ${p.index}`,
      `  ${p.index}: ${p.documents?.toLocaleString("en")} documents scanned for extras`,
    );
};
/** A key as shown: a long one (a text key of hundreds of characters) cut, with its length. */
const shortKey = (key: string) =>
  key.length > 100 ? `${key.slice(0, 80)}... (${key.length} characters)` : key;
try {
  const configured = pipeline.tables().map((t) => t.table);
  const unknown = tables.filter((t) => !configured.includes(t));
  if (unknown.length > 0)
    usageError(
      USAGE,
      `not captured by the pipeline: ${unknown.join(", ")} (config has ${configured.join(", ")})`,
    );
  const secondLookMs = secondLookSeconds * 1000;
  const report = await verify({
    database: targets.database,
    search,
    pipeline,
    ...(tables.length > 0 && { tables }),
    onProgress: progress,
    secondLookAfterMs: secondLookMs,
    wait: async (ms) => {
      if (!flags.quiet)
        progressLine.update("second look", `  differences found: looking again in ${ms / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, ms));
    },
  });
  progressLine.done();
  if (report.goneOnSecondLook !== undefined)
    console.log(
      `second look after ${secondLookSeconds} s: ${report.goneOnSecondLook} of ${report.goneOnSecondLook + report.differences.length} difference(s) gone (changes still on their way to the index when first compared)`,
    );
  else if (secondLookSeconds > 0 && report.differences.length > SECOND_LOOK_MAX)
    console.log(
      `no second look: over ${SECOND_LOOK_MAX.toLocaleString("en")} differences are drift, not changes in flight`,
    );
  for (const i of report.indices)
    console.log(
      `${i.differences === 0 ? "ok  " : "DIFF"} ${i.index}: ${i.expected} expected, ${i.actual} found${i.goneOnSecondLook ? ` at the first look (${i.goneOnSecondLook} in flight then)` : ""}, ${i.differences} differences`,
    );
  for (const t of report.skippedTables)
    console.log(
      `skip ${t}: not in the database; a table dropped keeps its index's documents (DROP TABLE is not captured, as with DMS): remove the table from the routing config and delete the index, or create the table again and reload it`,
    );
  for (const problem of report.configProblems) console.log(`config: ${problem}`);
  if (report.unindexable.length > 0) {
    console.log(
      `refused: ${report.unindexable.length} row(s) the indexer's rules refuse (see the DLQ, npm run redrive): each missing from the index, or there as the last change the indexer took left it`,
    );
    for (const u of report.unindexable.slice(0, 20))
      console.log(`  ${u.table} ${shortKey(u.key)}: ${u.reason}`);
    if (report.unindexable.length > 20) console.log(`  ... and ${report.unindexable.length - 20} more`);
  }
  /** A value as written, cut to 80 characters; `(absent)` for a field the document lacks. */
  const shown = (value: unknown) => {
    if (value === undefined) return "(absent)";
    const text = JSON.stringify(value);
    return text.length > 80 ? `${text.slice(0, 77)}...` : text;
  };
  for (const d of report.differences.slice(0, 20)) {
    const fields = (d.fields ?? []).map(
      (f) => `${f.field}: expected ${shown(f.expected)}, found ${shown(f.actual)}`,
    );
    console.log(
      `  ${d.kind.padEnd(7)} ${d.index}/${shortKey(d.id)}${fields.length ? ` ${fields.join("; ")}` : ""}`,
    );
  }
  if (report.differences.length > 20) console.log(`  ... and ${report.differences.length - 20} more`);
  const findings = report.indices.map(({ index }) => {
    const of = report.differences.filter((d) => d.index === index);
    const missing = of.filter((d) => d.kind === "missing").length;
    return { index, missing, wrong: of.length - missing };
  });
  const repair = repairCommand(pipeline, findings, flags["config-env"], report.skippedTables);
  // A problem the config has (a column OpenSearch refuses, a renamed one) comes back after any rebuild.
  const first = report.configProblems.length > 0 ? " (once the config problems above are fixed)" : "";
  if (repair) console.log(`repair${first}: ${repair}`);
  const refusedFail = report.unindexable.length > 0 && !flags["accept-refused"];
  if (refusedFail) console.log("refused rows fail the check; --accept-refused accepts them");
  process.exitCode = report.differences.length === 0 && !refusedFail ? 0 : 1;
} catch (error) {
  // Nothing compared (a database or cluster that does not answer): said in one line, exit 2.
  progressLine.done();
  const { name, message } = error as Error;
  console.error(
    `verify: ${name === "ConnectionError" ? `OpenSearch does not answer: ${searchFailure(error)}` : message}`,
  );
  process.exitCode = 2;
} finally {
  await search.close();
}
