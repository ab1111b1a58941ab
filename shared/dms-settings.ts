/**
 * How DMS renders changes onto the stream: the endpoint and task settings the indexer's parsing depends
 * on, in one place. The DMS resources in `template.yaml` are checked against these (a test fails on
 * drift), the local capture renders records by them, and the indexer reads the LOB limit from here.
 */

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
 * The replication task's settings (ReplicationTaskSettings): the LOB settings above, the old key of a
 * row whose key changed (so the indexer can delete the old document), and CloudWatch logging.
 */
export function dmsTaskSettings() {
  return {
    TargetMetadata: DMS_LOB_SETTINGS,
    BeforeImageSettings: { EnableBeforeImage: true, FieldName: "before-image", ColumnFilter: "pk-only" },
    Logging: { EnableLogging: true },
  };
}
