/**
 * The database side of CDC, applied idempotently by the bootstrap on every deploy:
 *
 * - the producer API's user: log in, read and insert business events, nothing else; its statement
 *   timeouts are role defaults (a client-side SET would pin RDS Proxy connections);
 * - the DMS user: `rds_replication` on Aurora (the REPLICATION attribute on plain PostgreSQL), SELECT on
 *   exactly the captured tables (grants on tables no longer captured are revoked), and its own schema for
 *   the DMS WAL heartbeat. No rds_superuser: the source endpoint sets `CaptureDdls: false`, so DMS needs
 *   no DDL trigger, and the slot comes from rds_replication;
 * - replica identity: a captured table keeps its primary key as replica identity (deletes carry the key,
 *   all the indexer needs); one without a primary key gets REPLICA IDENTITY FULL (shared/captured-keys.ts).
 *
 * Passwords never appear in a statement's text: they are bound parameters of `set_config` and read back
 * inside a DO block, so `log_statement = ddl` logs no secret. Identifiers are validated by the caller
 * and quoted with `escapeIdentifier`.
 */
import type pg from "pg";
import { ensureReplicaIdentity, keyProblem, tableKeys } from "../../shared/captured-keys";
import {
  columnProblems,
  dottedNameProblems,
  metadataFieldProblem,
  tableColumns,
} from "../../shared/configured-columns";
import { readTableMappings, type TableMappings } from "../../shared/dms-table-mappings";
import { PipelineError } from "../../shared/errors";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { setRolePassword } from "../../shared/role-password";
import { quotedTable, relationNamed } from "../../shared/table-name";
import { uncapturableTables } from "../../shared/uncapturable-tables";

export type Login = { user: string; password: string };

export type Prerequisites = {
  producer: Login;
  dms: Login;
  /** `schema.table` of every table the routing config captures. */
  capturedTables: string[];
  /** Each captured table's key in the routing config (absent: not configured, `[id]` is assumed). */
  tableKeys?: Record<string, string[] | null>;
  /** The DMS task's table mappings: which columns it removes (the routing config's `exclude`). */
  tableMappings?: TableMappings;
  /** Schema the DMS heartbeat table lives in (owned by the DMS user). */
  heartbeatSchema: string;
  /** Refuse a server without `wal_level = logical` (Aurora: `rds.logical_replication = 1`). */
  requireLogicalReplication: boolean;
  /** The bundled routing config: the columns it names that its tables lack are noted (configNotes). */
  pipeline?: PipelineConfig;
};

export type PrerequisitesReport = {
  granted: string[];
  revoked: string[];
  missing: string[];
  replicaIdentityFull: string[];
  /**
   * What the config names that its captured tables lack (a typo, a column renamed by hand): in the index
   * a typed column's real name arrives untyped, an excluded one's values are indexed. Said, not failed
   * (a column dropped on purpose leaves a name in the config that harms nothing).
   */
  configNotes: string[];
};

/** The producer reads and inserts its events; nothing else. */
export const PRODUCER_TABLE = "public.business_events";

export class PrerequisiteError extends PipelineError {
  override name = "PrerequisiteError";
}

async function inTransaction<T>(client: pg.ClientBase, work: () => Promise<T>): Promise<T> {
  await client.query("BEGIN");
  try {
    const result = await work();
    await client.query("COMMIT");
    return result;
  } catch (error) {
    await client.query("ROLLBACK");
    throw error;
  }
}

/** Creates the login role if absent and sets its password and attributes. */
async function ensureLogin(client: pg.ClientBase, login: Login, attributes: string): Promise<void> {
  const role = client.escapeIdentifier(login.user);
  await inTransaction(client, async () => {
    const exists = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [login.user]);
    if (exists.rowCount === 0) await client.query(`CREATE ROLE ${role} LOGIN`);
    await client.query(`ALTER ROLE ${role} WITH LOGIN ${attributes}`);
    await setRolePassword(client, login.user, login.password);
  });
}

export async function checkLogicalReplication(client: pg.ClientBase): Promise<void> {
  const { rows } = await client.query<{ wal_level: string }>(
    "SELECT current_setting('wal_level') AS wal_level",
  );
  if (rows[0]?.wal_level !== "logical")
    throw new PrerequisiteError(
      "logical_replication_off",
      `wal_level is ${rows[0]?.wal_level}, DMS needs logical: set rds.logical_replication = 1 in the cluster parameter group and reboot the writer`,
    );
}

async function setUpProducer(client: pg.ClientBase, producer: Login): Promise<void> {
  const role = client.escapeIdentifier(producer.user);
  await ensureLogin(client, producer, "NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION");
  await client.query(`ALTER ROLE ${role} SET statement_timeout = '5s'`);
  await client.query(`ALTER ROLE ${role} SET idle_in_transaction_session_timeout = '10s'`);
  await client.query(`GRANT USAGE ON SCHEMA public TO ${role}`);
  await client.query(`GRANT SELECT, INSERT ON ${quotedTable(PRODUCER_TABLE, client)} TO ${role}`);
}

async function setUpDmsUser(client: pg.ClientBase, dms: Login, heartbeatSchema: string): Promise<void> {
  const role = client.escapeIdentifier(dms.user);
  await ensureLogin(client, dms, "NOSUPERUSER NOCREATEDB NOCREATEROLE");
  const aurora = await client.query("SELECT 1 FROM pg_roles WHERE rolname = 'rds_replication'");
  if (aurora.rowCount) await client.query(`GRANT rds_replication TO ${role}`);
  else await client.query(`ALTER ROLE ${role} REPLICATION`);
  const schema = client.escapeIdentifier(heartbeatSchema);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema} AUTHORIZATION ${role}`);
  await client.query(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${role}`);
}

type TableState = { table: string; exists: boolean };

async function tableStates(client: pg.ClientBase, tables: string[]): Promise<TableState[]> {
  const { rows } = await client.query<TableState>(
    `SELECT t.name AS table, c.oid IS NOT NULL AS exists
       FROM unnest($1::text[]) WITH ORDINALITY AS t(name, position)
       LEFT JOIN pg_class c ON c.oid = ${relationNamed("t.name")}
      ORDER BY t.position`,
    [tables],
  );
  return rows;
}

/** Grants SELECT on exactly the captured tables that exist, and revokes it from every other table. */
async function grantCapturedTables(
  client: pg.ClientBase,
  plan: Prerequisites,
  report: PrerequisitesReport,
): Promise<void> {
  const role = client.escapeIdentifier(plan.dms.user);
  const states = await tableStates(client, plan.capturedTables);
  for (const state of states) {
    if (!state.exists) {
      report.missing.push(state.table);
      continue;
    }
    const [schema] = state.table.split(".") as [string];
    await client.query(`GRANT USAGE ON SCHEMA ${client.escapeIdentifier(schema)} TO ${role}`);
    await client.query(`GRANT SELECT ON ${quotedTable(state.table, client)} TO ${role}`);
    report.granted.push(state.table);
  }
  report.replicaIdentityFull.push(...(await ensureReplicaIdentity(client, report.granted)));
  const granted = await client.query<{ table: string }>(
    `SELECT table_schema || '.' || table_name AS table FROM information_schema.role_table_grants
      WHERE grantee = $1 AND privilege_type = 'SELECT' AND grantor <> grantee AND table_schema <> $2`,
    [plan.dms.user, plan.heartbeatSchema],
  );
  for (const { table } of granted.rows) {
    if (plan.capturedTables.includes(table)) continue;
    await client.query(`REVOKE SELECT ON ${quotedTable(table, client)} FROM ${role}`);
    report.revoked.push(table);
  }
}

/** Applies the prerequisites; run after the migrations, so the tables they create get their grants. */
export async function applyPrerequisites(
  client: pg.ClientBase,
  plan: Prerequisites,
): Promise<PrerequisitesReport> {
  if (plan.requireLogicalReplication) await checkLogicalReplication(client);
  const report: PrerequisitesReport = {
    granted: [],
    revoked: [],
    missing: [],
    replicaIdentityFull: [],
    configNotes: [],
  };
  await setUpProducer(client, plan.producer);
  await setUpDmsUser(client, plan.dms, plan.heartbeatSchema);
  await grantCapturedTables(client, plan, report);
  await checkUncapturableTables(client, report.granted);
  const columns = await tableColumns(client, report.granted);
  if (plan.tableMappings) checkColumnNames(columns, plan);
  if (plan.pipeline)
    report.configNotes = plan.pipeline.tables().flatMap((routing) => {
      const existing = columns.get(routing.table);
      return existing ? columnProblems(routing, existing) : [];
    });
  if (plan.tableKeys) await checkTableKeys(client, plan.tableKeys, report.granted);
  return report;
}

/**
 * A partitioned table configured as such would get its full load and then no change (its changes stream
 * under its partitions' names), a view no row at all: the deploy fails, naming what to configure instead.
 */
async function checkUncapturableTables(client: pg.ClientBase, tables: string[]): Promise<void> {
  const problems = await uncapturableTables(client, tables);
  if (problems.size === 0) return;
  throw new PipelineError(
    "uncapturable_table",
    `${[...problems.values()].join("; ")} (config/pipeline.yaml)`,
  );
}

/**
 * A column DMS sends whose name OpenSearch keeps for itself (`_id`, ...), or whose dotted name is no path
 * OpenSearch can hold (`.a`; `pref` beside `pref.lang`), would dead-letter rows of its table (every row,
 * or every row with values in both): the deploy fails, naming the column to exclude (or, a key column,
 * to rename).
 */
function checkColumnNames(
  columns: Map<string, Set<string>>,
  plan: Pick<Prerequisites, "tableKeys" | "tableMappings">,
): void {
  const selection = readTableMappings(plan.tableMappings as TableMappings);
  const problems = [...columns].flatMap(([table, names]) => {
    const [schema, name] = table.split(".") as [string, string];
    const keyColumns = plan.tableKeys?.[table] ?? [];
    const sent = [...names].filter((column) => !selection.removesColumn(schema, name, column));
    return [
      ...sent.flatMap((column) => metadataFieldProblem(table, column, keyColumns.includes(column)) ?? []),
      ...dottedNameProblems(table, sent, keyColumns),
    ];
  });
  if (problems.length > 0)
    throw new PipelineError("refused_column_name", `${problems.join("; ")} (config/pipeline.yaml)`);
}

/**
 * A configured key that is not what the table's deletes carry would dead-letter every delete: the deploy
 * fails, naming the key to configure, rather than build a pipeline whose index keeps deleted rows.
 */
async function checkTableKeys(
  client: pg.ClientBase,
  configured: Record<string, string[] | null>,
  tables: string[],
): Promise<void> {
  const keys = await tableKeys(client, tables);
  const problems = tables.flatMap((table) => {
    const key = keys.get(table);
    const problem = key && keyProblem(table, configured[table] ?? undefined, key);
    return problem ? [problem] : [];
  });
  if (problems.length > 0)
    throw new PipelineError("key_mismatch", `${problems.join("; ")} (config/pipeline.yaml)`);
}
