/**
 * `npm run reload -- <schema.table>... [--config-env <stage> [--wait <s>]]`: the DMS task sends the tables'
 * rows again as full-load records (reload.ts). Without --config-env it reloads into the running local
 * stack. Exits 1 when a table's load failed or did not finish within --wait; 2 when it could not start
 * (usage, no running stack, a stage it cannot read).
 */

import { join } from "node:path";
import { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import { SQSClient } from "@aws-sdk/client-sqs";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { createOpenSearchClient } from "../../shared/opensearch-client";
import { idleLimitedHandler } from "../lib/aws-http";
import { exitOnClosedPipe } from "../lib/closed-pipe";
import { commandArgs, usageError } from "../lib/command-args";
import { confirmTyped } from "../lib/confirm";
import { createKinesisClient } from "../lib/kinesis-client";
import { LOCAL_CREDENTIALS } from "../lib/local-credentials";
import { readStackFile } from "../lib/local-stack-file";
import { pipelineConfigPath, readPipelineConfig } from "../lib/pipeline-config-path";
import { ProgressLine } from "../lib/progress-line";
import { projectRoot } from "../lib/project-root";
import { queueDepth } from "../lib/queue-depth";
import { localSearchClient } from "../lib/search-client";
import { readStackOutputs, StackLookupError } from "../lib/targets";
import { parseStreamArn } from "../redrive/messages";
import { deadLettersAfterRebuild, indicesToRebuild } from "./rebuild";
import {
  deleteIndices,
  ReloadError,
  rebuildOnAws,
  reloadLocally,
  reloadOnAws,
  type TableLoadState,
  tablesToReload,
} from "./reload";

exitOnClosedPipe();

const USAGE = `usage: npm run reload -- <schema.table>... [--rebuild [--yes]] [--config-env <stage> [--wait <s>]]

Sends the tables' rows through the pipeline again, as the DMS task's full load does (load records, the
lowest version): documents missing from an index are written; documents a change wrote since are kept.
To repair documents that differ, rebuild: delete the indices first, then reload (docs/architecture.md).

  (no target)           the running local stack (npm start): the rows are read in one snapshot and put
                        on its stream
  --config-env <stage>  the stage's DMS task (ReloadTables; the task must be running; at most 10 tables
                        at once), then its table statistics until each table's load completed; run it
                        where the domain is reachable when rebuilding (docs/deploy.md)
  --rebuild             first delete every index the tables write to (their own and their routes'), so
                        the load writes each document again; an index another table also writes to
                        needs that table named too. On a stage it asks first (searches miss the
                        documents until the load completes) and checks that the task is running
  --yes                 rebuild on a stage without asking (scripts)
  --wait <s>            how long to follow the task's loads (default 900; 0 returns at once)`;

const { values: flags, positionals: names } = commandArgs(USAGE, {
  allowPositionals: true,
  options: {
    "config-env": { type: "string" },
    wait: { type: "string" },
    rebuild: { type: "boolean" },
    yes: { type: "boolean" },
  },
});
const waitSeconds = Number(flags.wait ?? 900);
if (!Number.isInteger(waitSeconds) || waitSeconds < 0)
  usageError(USAGE, "--wait must be a whole number of seconds");

// Locally, the config the running stack was started with (operator/lib/pipeline-config-path.ts).
const running = flags["config-env"] ? undefined : readStackFile();
const configPath = pipelineConfigPath(running);
const mappings = dmsTableMappings(readPipelineConfig(configPath));

/** The indices a rebuild of the tables deletes, named with the target's index prefix. */
const rebuilt = (indexPrefix: string, tables: string[]) =>
  indicesToRebuild(readPipelineConfig(configPath, indexPrefix), tables);

type DeadLetterQueue = { url: string; region: string; endpoint?: string };

/** The DLQ's depth, or why it could not be read (the rebuild itself is done either way). */
async function deadLetterDepth(dlq: DeadLetterQueue | undefined): Promise<number | Error> {
  if (!dlq) return new Error("the stack has no DeadLetterQueueUrl output");
  const sqs = new SQSClient({
    region: dlq.region,
    requestHandler: idleLimitedHandler(),
    ...(dlq.endpoint && { endpoint: dlq.endpoint, credentials: LOCAL_CREDENTIALS }),
  });
  try {
    return await queueDepth(sqs, dlq.url);
  } catch (error) {
    return error as Error;
  } finally {
    sqs.destroy();
  }
}

/** After a rebuild: what to do with its tables' dead letters from before it, if the DLQ holds any. */
const discardAfterRebuild = async (tables: string[], dlq: DeadLetterQueue | undefined, configEnv?: string) =>
  console.log(deadLettersAfterRebuild(tables, await deadLetterDepth(dlq), configEnv));

const saidDeleted = (index: string, existed: boolean) =>
  console.log(`${existed ? "deleted" : "absent"} ${index}`);

/** A stage's rebuild, asked about first (unless --yes): false when not confirmed. */
async function confirmRebuild(configEnv: string, indices: string[], tables: string[]): Promise<boolean> {
  if (flags.yes) return true;
  console.log(
    `rebuilding deletes ${indices.join(", ")} on ${configEnv}: searches miss their documents until the load completes`,
  );
  if (await confirmTyped(`Delete them and reload ${tables.join(", ")}?`, configEnv)) return true;
  console.error(process.stdin.isTTY ? "nothing deleted" : "not a terminal: add --yes to rebuild");
  return false;
}

async function onAws(configEnv: string, tables: string[]): Promise<boolean> {
  const { region, outputs } = await readStackOutputs(configEnv, {
    samconfigPath: join(projectRoot(), "samconfig.toml"),
  });
  const taskArn = outputs.DmsReplicationTaskArn;
  if (!taskArn)
    throw new ReloadError("the stack has no DmsReplicationTaskArn output: deploy the current template");
  const dms = new DatabaseMigrationServiceClient({ region, requestHandler: idleLimitedHandler() });
  if (flags.rebuild) {
    const endpoint = outputs.SearchDomainEndpoint;
    if (!endpoint || outputs.IndexPrefix === undefined)
      throw new ReloadError(
        "the stack has no SearchDomainEndpoint or IndexPrefix output: deploy the current template",
      );
    const indices = rebuilt(outputs.IndexPrefix === "none" ? "" : outputs.IndexPrefix, tables);
    const search = createOpenSearchClient({ endpoint, auth: "iam", region });
    try {
      const confirm = () => confirmRebuild(configEnv, indices, tables);
      if (!(await rebuildOnAws({ dms, search, taskArn, indices, confirm, onIndex: saidDeleted })))
        return false;
    } finally {
      await search.close();
    }
  }
  let shown = "";
  const show = (states: TableLoadState[]) => {
    const line = states.map((s) => `${s.table}: ${s.state}, ${s.rows.toLocaleString("en")} rows`).join("; ");
    if (line !== shown) console.log(`  ${line}`);
    shown = line;
  };
  console.log(`reloading ${tables.join(", ")} through ${taskArn}`);
  const states = await reloadOnAws({
    dms,
    taskArn,
    tables,
    waitMs: waitSeconds * 1000,
    onPoll: show,
  });
  if (waitSeconds === 0) {
    console.log(`requested; follow it: aws dms describe-table-statistics --replication-task-arn ${taskArn}`);
    return true;
  }
  const failed = states.filter((s) => s.state === "Table error");
  const pending = states.filter((s) => !s.completed && s.state !== "Table error");
  for (const s of states.filter((x) => x.completed))
    console.log(`done ${s.table}: ${s.rows.toLocaleString("en")} rows loaded`);
  for (const s of failed) console.log(`FAIL ${s.table}: ${s.state} (the task's CloudWatch log says why)`);
  for (const s of pending) console.log(`wait ${s.table}: still ${s.state} after ${waitSeconds} s`);
  if (failed.length === 0 && pending.length === 0)
    console.log(`then: npm run verify -- --config-env ${configEnv} ${tables.join(" ")}`);
  if (flags.rebuild) {
    const url = outputs.DeadLetterQueueUrl;
    await discardAfterRebuild(tables, url ? { url, region } : undefined, configEnv);
  }
  return failed.length === 0 && pending.length === 0;
}

async function locally(tables: string[]): Promise<boolean> {
  if (!running) throw new ReloadError("no running stack: start `npm start`, or use --config-env <stage>");
  if (flags.rebuild) {
    const search = localSearchClient(running.opensearchUrl, { caFile: running.opensearchCaFile });
    try {
      await deleteIndices(search, rebuilt(running.indexPrefix, tables), saidDeleted);
    } finally {
      await search.close();
    }
  }
  const progress = new ProgressLine();
  const stream = parseStreamArn(running.streamArn);
  const kinesis = createKinesisClient(stream.region, running.kinesisEndpoint);
  try {
    await reloadLocally({
      database: running.databaseUrl,
      kinesis,
      streamName: stream.name,
      tableMappings: mappings,
      tables,
      onRows: (table, rows) => progress.update(table, `  ${table}: ${rows.toLocaleString("en")} rows sent`),
      onTable: ({ table, rows, tooLarge }) => {
        progress.erase();
        console.log(
          `sent ${table}: ${rows.toLocaleString("en")} rows` +
            (tooLarge ? `; ${tooLarge} of them larger than a Kinesis record (1 MiB), not sent` : ""),
        );
      },
    });
  } finally {
    kinesis.destroy();
  }
  console.log(`the indexer applies them within seconds; then: npm run verify -- ${tables.join(" ")}`);
  if (flags.rebuild)
    await discardAfterRebuild(tables, {
      url: running.dlqUrl,
      region: stream.region,
      ...(running.sqsEndpoint && { endpoint: running.sqsEndpoint }),
    });
  return true;
}

try {
  const tables = tablesToReload(names, mappings);
  const ok = flags["config-env"] ? await onAws(flags["config-env"], tables) : await locally(tables);
  process.exit(ok ? 0 : 1);
} catch (error) {
  console.error(`reload: ${(error as Error).message}`);
  process.exit(error instanceof ReloadError || error instanceof StackLookupError ? 2 : 1);
}
