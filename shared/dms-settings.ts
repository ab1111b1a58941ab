/**
 * How DMS renders changes onto the stream: the endpoint and task settings the indexer's parsing depends
 * on, in one place. The DMS resources in `template.yaml` are checked against these (a test fails on
 * drift), the local capture renders records by them, and the indexer reads the LOB limit from here.
 */

import { createHash } from "node:crypto";

/** Source endpoint (`aurora-postgresql`) `PostgreSqlSettings` that change how values are rendered. */
export const DMS_SOURCE_SETTINGS = {
  /**
   * false (DMS's default): booleans arrive as the strings "true" / "false" (DMS maps PostgreSQL
   * `boolean` to varchar(5)). `true` only takes effect when the *target* endpoint supports it too, and
   * the Kinesis target has no such setting, so the string rendering is the one to rely on; the indexer
   * coerces both renderings for columns declared `boolean`.
   */
  MapBooleanAsBoolean: false,
  /**
   * false: a LOB longer than `LobMaxSize` is truncated and the task goes on (true would stop capture for
   * every table over one value); the indexer recognises such a value and dead-letters its record.
   */
  FailTasksOnLobTruncation: false,
  /**
   * false: DMS creates no DDL-capture trigger or table in the database, so its user needs no superuser
   * role (the target drops table changes anyway: `IncludeTableAlterOperations: false`).
   */
  CaptureDdls: false,
  /**
   * A heartbeat transaction every few minutes keeps the replication slot's position moving while the
   * captured tables are idle, so the cluster does not keep WAL for hours. Its table lives in the DMS
   * user's own schema, which the database bootstrap creates.
   */
  HeartbeatEnable: true,
  HeartbeatFrequency: 5,
  HeartbeatSchema: "awsdms",
} as const;

/** Kinesis target endpoint `KinesisSettings` (besides the stream and the role). */
export const DMS_KINESIS_SETTINGS = {
  MessageFormat: "json-unformatted",
  /** Commit timestamp, transaction id and record offset: the basis of the document versions. */
  IncludeTransactionDetails: true,
  IncludePartitionValue: true,
  PartitionIncludeSchemaTable: true,
  /** Null columns are sent as null, so an update that clears a column clears it in the index. */
  IncludeNullAndEmpty: true,
  IncludeControlDetails: true,
  IncludeTableAlterOperations: false,
} as const;

/**
 * Task `TargetMetadata` LOB settings. DMS treats `text`, `json`, `jsonb`, `xml`, arrays and `bytea` as
 * LOBs and, in limited LOB mode, truncates a longer value to `LobMaxSize` KB (with a warning, or failing
 * the task with `FailTasksOnLobTruncation`). 512 KB: the producer API accepts events of up to 256 KiB
 * of compact JSON, and PostgreSQL's jsonb text adds at most a space after each `:` and `,` (under 2x);
 * numbers written out in full can grow more, which the `business_events_event_data_fits_cdc` constraint
 * (db/migrations/0002) refuses at write time.
 * One row's record must also fit Kinesis's 1 MiB record limit. A value that reaches the limit may be
 * cut: the indexer dead-letters it (`lob_truncated`) rather than index part of it.
 */
export const DMS_LOB_SETTINGS = {
  SupportLobs: true,
  FullLobMode: false,
  LimitedSizeLobMode: true,
  LobMaxSize: 512,
} as const;

/** The LOB limit in bytes: a value this long or longer may have been truncated by DMS. */
export const LOB_MAX_BYTES = DMS_LOB_SETTINGS.LobMaxSize * 1024;

/**
 * How DMS keys the records it puts on the stream (the Kinesis partition key, hence the shard):
 *
 * - `primary-key` (the default): `schema.table.<key>` (`PartitionIncludeSchemaTable` prefixes the table).
 *   DMS uses the primary key for changes once the task applies them in parallel (`ParallelApply*`
 *   settings); full-load records are keyed by primary key in both modes. A hot table spreads over every
 *   shard and over the event source mapping's concurrent batches per shard. Order across keys is lost,
 *   which the indexer's external versions make irrelevant; order per key is kept (one key, one queue).
 * - `schema-table`: without parallel apply, every change of a table carries the key `schema.table`, so
 *   one table lives on one shard (1 MB/s, 1,000 records/s) and one batch at a time per shard.
 */
export type Partitioning = "primary-key" | "schema-table";
export const DEFAULT_PARTITIONING: Partitioning = "primary-key";

/** Task `TargetMetadata` settings that make DMS apply changes in parallel, keyed by primary key. */
export const DMS_PARALLEL_APPLY_SETTINGS = {
  ParallelApplyThreads: 8,
  ParallelApplyBufferSize: 1000,
  ParallelApplyQueuesPerThread: 16,
} as const;

/** Kinesis takes partition keys of at most 256 characters. */
export const MAX_PARTITION_KEY_LENGTH = 256;

/**
 * The partition key DMS gives a record of this table and key (key values as PostgreSQL's text). A key
 * longer than Kinesis takes (a long text primary key) becomes `schema.table.sha256:<hex of the key>`:
 * still one key per row, so a row's changes keep their order. DMS does not document what it does with
 * such keys; this is the local capture's rendering (PostgreSQL names are at most 63 bytes, so it fits).
 */
export function dmsPartitionKey(
  partitioning: Partitioning,
  schema: string,
  table: string,
  keyValues: readonly (string | null | undefined)[],
): string {
  if (partitioning === "schema-table") return `${schema}.${table}`;
  const key = [schema, table, ...keyValues.map((v) => v ?? "")].join(".");
  if (key.length <= MAX_PARTITION_KEY_LENGTH) return key;
  return `${schema}.${table}.sha256:${createHash("sha256").update(key).digest("hex")}`;
}

/**
 * The replication task's settings (ReplicationTaskSettings): the LOB settings above, parallel apply for
 * primary-key partitioning, the old key of a row whose key changed (so the indexer can delete the old
 * document), and CloudWatch logging.
 */
export function dmsTaskSettings(partitioning: Partitioning = DEFAULT_PARTITIONING) {
  return {
    TargetMetadata: {
      ...DMS_LOB_SETTINGS,
      ...(partitioning === "primary-key" && DMS_PARALLEL_APPLY_SETTINGS),
    },
    BeforeImageSettings: { EnableBeforeImage: true, FieldName: "before-image", ColumnFilter: "pk-only" },
    Logging: { EnableLogging: true },
  };
}
