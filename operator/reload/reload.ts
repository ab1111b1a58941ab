/**
 * Reloading tables: the DMS task sends a table's rows again as `load` records, which the indexer writes
 * at the snapshot version (0). That fills in documents missing from an index (a deleted or rebuilt index,
 * a mapping fixed after a dead letter) and never rolls back a document a later change wrote; to repair
 * documents that differ, delete the index first (docs/architecture.md, "Consequence for drift").
 *
 * On AWS it is DMS's own ReloadTables on the stage's task, then its table statistics until each table's
 * load is complete; on the local stack the same load records are read from the table in one snapshot and
 * put on the stream, as the local capture's full load does.
 */
import { setTimeout as delay } from "node:timers/promises";
import {
  type DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  DescribeTableStatisticsCommand,
  ReloadTablesCommand,
  type TableStatistics,
} from "@aws-sdk/client-database-migration-service";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import type { Client } from "@opensearch-project/opensearch";
import pg from "pg";
import { readTableMappings, type TableMappings } from "../../shared/dms-table-mappings";
import { loadRecordPages } from "../lib/dms/full-load";
import { putAll } from "../lib/kinesis-put";

/** A reload asked for wrongly (a table the task does not capture, no stack to reload into): exit 2. */
export class ReloadError extends Error {
  override name = "ReloadError";
}

/** DMS refused the reload (a task that is not running, a `cdc`-only task); its reason is the message. */
export class ReloadRefusedError extends Error {
  override name = "ReloadRefusedError";
}

/** DMS reloads at most this many tables per request. */
const MAX_TABLES_PER_RELOAD = 10;

/**
 * The tables to reload, each named `schema.table` as in config/pipeline.yaml: only tables the task
 * captures can be reloaded. Duplicates are dropped, order kept.
 */
export function tablesToReload(names: string[], mappings: TableMappings): string[] {
  if (names.length === 0) throw new ReloadError("name at least one table (schema.table)");
  const captured = readTableMappings(mappings).tables;
  const unknown = names.filter((n) => !captured.includes(n));
  if (unknown.length > 0)
    throw new ReloadError(
      `not captured by the pipeline: ${unknown.join(", ")} (config/pipeline.yaml has ${captured.join(", ")})`,
    );
  return [...new Set(names)];
}

/** A table put on the stream: its rows, of which `tooLarge` were larger than a Kinesis record (not sent). */
export type TableReloaded = { table: string; rows: number; tooLarge: number };

/**
 * The local stack: every table read in one snapshot (REPEATABLE READ, times in UTC) and its load records
 * put on the stream, with the columns the task's mappings remove left out.
 */
export async function reloadLocally(options: {
  database: string | pg.ClientConfig;
  kinesis: KinesisClient;
  streamName: string;
  tableMappings: TableMappings;
  tables: string[];
  pageSize?: number;
  /** After each page is on the stream: the rows of the table sent so far. */
  onRows?: (table: string, rows: number) => void;
  onTable?: (done: TableReloaded) => void;
}): Promise<TableReloaded[]> {
  const selection = readTableMappings(options.tableMappings);
  const client = new pg.Client(
    typeof options.database === "string" ? { connectionString: options.database } : options.database,
  );
  await client.connect();
  const done: TableReloaded[] = [];
  try {
    await client.query("SET TimeZone = 'UTC'");
    await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
    for (const table of options.tables) {
      let rows = 0;
      let tooLarge = 0;
      for await (const page of loadRecordPages(client, table, selection, options.pageSize ?? 1000)) {
        await putAll(options.kinesis, options.streamName, page, undefined, () => {
          tooLarge++;
        });
        rows += page.length;
        options.onRows?.(table, rows);
      }
      done.push({ table, rows, tooLarge });
      options.onTable?.({ table, rows, tooLarge });
    }
    await client.query("COMMIT");
    return done;
  } finally {
    await client.end();
  }
}

export type TableLoadState = {
  table: string;
  /** DMS's TableState: `Table completed`, `Table error`, `Full load`, `Table is being reloaded`, ... */
  state: string;
  rows: number;
  /**
   * True once this reload's load finished: `Table completed` with a newer full-load end than before the
   * request, or after a poll that saw the table loading.
   */
  completed: boolean;
};

const nameOf = (s: TableStatistics) => `${s.SchemaName}.${s.TableName}`;

async function tableStatistics(
  dms: Pick<DatabaseMigrationServiceClient, "send">,
  taskArn: string,
  tables: string[],
): Promise<Map<string, TableStatistics>> {
  const wanted = new Set(tables);
  const found = new Map<string, TableStatistics>();
  let marker: string | undefined;
  do {
    const page = await dms.send(
      new DescribeTableStatisticsCommand({
        ReplicationTaskArn: taskArn,
        MaxRecords: 500,
        ...(marker && { Marker: marker }),
      }),
    );
    for (const s of page.TableStatistics ?? []) if (wanted.has(nameOf(s))) found.set(nameOf(s), s);
    marker = page.Marker;
  } while (marker);
  return found;
}

const endOf = (s: TableStatistics | undefined) => s?.FullLoadEndTime?.getTime() ?? 0;

/**
 * A deployed stage: DMS ReloadTables on its task (at most 10 tables a request), then its table statistics
 * every `pollMs` until each table's new load completed or failed, or `waitMs` passed (0: do not wait).
 * A task that is not running (a stopped cluster, a `cdc`-only task) is refused by DMS; its message is
 * passed on.
 */
export async function reloadOnAws(options: {
  dms: Pick<DatabaseMigrationServiceClient, "send">;
  taskArn: string;
  tables: string[];
  waitMs: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
  onPoll?: (states: TableLoadState[]) => void;
}): Promise<TableLoadState[]> {
  const { dms, taskArn, tables } = options;
  const sleep = options.sleep ?? ((ms: number) => delay(ms));
  const now = options.now ?? Date.now;
  const before = await tableStatistics(dms, taskArn, tables);
  for (let i = 0; i < tables.length; i += MAX_TABLES_PER_RELOAD) {
    const chunk = tables.slice(i, i + MAX_TABLES_PER_RELOAD);
    try {
      await dms.send(
        new ReloadTablesCommand({
          ReplicationTaskArn: taskArn,
          ReloadOption: "data-reload",
          TablesToReload: chunk.map((t) => {
            const [SchemaName, TableName] = t.split(".") as [string, string];
            return { SchemaName, TableName };
          }),
        }),
      );
    } catch (cause) {
      const e = cause as Error;
      throw new ReloadRefusedError(`DMS refused to reload ${chunk.join(", ")}: ${e.name}: ${e.message}`, {
        cause,
      });
    }
  }
  const deadline = now() + options.waitMs;
  // Tables seen loading since the request: their next `Table completed` is this reload's.
  const seenLoading = new Set<string>();
  for (;;) {
    const current = await tableStatistics(dms, taskArn, tables);
    const states = tables.map((table): TableLoadState => {
      const s = current.get(table);
      const state = s?.TableState ?? "unknown";
      if (state !== "Table completed" && state !== "unknown") seenLoading.add(table);
      const finishedAgain = endOf(s) > endOf(before.get(table)) || seenLoading.has(table);
      return {
        table,
        state,
        rows: s?.FullLoadRows ?? 0,
        completed: state === "Table completed" && finishedAgain,
      };
    });
    options.onPoll?.(states);
    const settled = states.every((s) => s.completed || s.state === "Table error");
    if (settled || now() >= deadline) return states;
    await sleep(Math.min(options.pollMs ?? 10_000, Math.max(0, deadline - now())));
  }
}

/**
 * Before a rebuild deletes indices on a stage: the task must be running, or its reload would be refused
 * after the indices are gone (searches would miss their documents until someone reloads).
 */
async function requireRunningTask(
  dms: Pick<DatabaseMigrationServiceClient, "send">,
  taskArn: string,
): Promise<void> {
  const { ReplicationTasks } = await dms.send(
    new DescribeReplicationTasksCommand({
      Filters: [{ Name: "replication-task-arn", Values: [taskArn] }],
      WithoutSettings: true,
    }),
  );
  const status = ReplicationTasks?.[0]?.Status ?? "gone";
  if (status !== "running")
    throw new ReloadRefusedError(
      `the DMS task is ${status}, and a reload needs it running: nothing was deleted (start the task, and a stopped cluster first)`,
    );
}

/**
 * The first half of a rebuild on a stage, before its reload: the task must be running, the operator must
 * confirm, and only then are the indices deleted. False when not confirmed (nothing deleted).
 */
export async function rebuildOnAws(options: {
  dms: Pick<DatabaseMigrationServiceClient, "send">;
  search: Pick<Client, "indices">;
  taskArn: string;
  indices: string[];
  confirm: () => Promise<boolean>;
  onIndex?: (index: string, existed: boolean) => void;
}): Promise<boolean> {
  await requireRunningTask(options.dms, options.taskArn);
  if (!(await options.confirm())) return false;
  await deleteIndices(options.search, options.indices, options.onIndex);
  return true;
}

/** Deletes each index (one already gone is fine), in order; `onIndex` hears whether it was there. */
export async function deleteIndices(
  search: Pick<Client, "indices">,
  indices: string[],
  onIndex?: (index: string, existed: boolean) => void,
): Promise<void> {
  for (const index of indices) {
    const { statusCode } = await search.indices.delete({ index }, { ignore: [404] });
    onIndex?.(index, statusCode !== 404);
  }
}
