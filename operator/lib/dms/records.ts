/**
 * Turns one committed transaction (decoded pgoutput changes with text values) into AWS DMS Kinesis
 * records: `{data, before-image?, metadata}` with the transaction details DMS adds when the endpoint has
 * `IncludeTransactionDetails` and `IncludePartitionValue`, keyed as the task's partitioning says
 * (shared/dms-settings.ts). Pure.
 */
import { DEFAULT_PARTITIONING, dmsPartitionKey, type Partitioning } from "../../../shared/dms-settings";
import { ownValue, setOwn } from "../../../shared/own-properties";
import { type DmsValue, renderValue } from "./render";

export type RelationColumn = { name: string; typeOid: number };
export type Relation = { schema: string; name: string; columns: RelationColumn[]; keyColumns: string[] };
export type Tuple = Record<string, string | null | undefined>;

export type Change =
  | { kind: "insert"; relation: Relation; row: Tuple }
  | { kind: "update"; relation: Relation; row: Tuple; oldKey?: Tuple | null }
  | { kind: "delete"; relation: Relation; old: Tuple };

export type CommittedTransaction = {
  xid: number;
  /** Commit time in microseconds since the Unix epoch. */
  commitMicros: bigint;
  commitLsn: string;
  prevXid?: number;
  changes: Change[];
};

export type KinesisEntry = { partitionKey: string; data: string };

/** ISO 8601 UTC with microseconds, as DMS writes `timestamp` and `commit-timestamp`. */
export function isoMicros(micros: bigint): string {
  const millis = Number(micros / 1000n);
  return `${new Date(millis).toISOString().slice(0, 23)}${String(micros % 1000n).padStart(3, "0")}Z`;
}

function renderRow(relation: Relation, tuple: Tuple): Record<string, DmsValue> {
  const row: Record<string, DmsValue> = {};
  // Columns are read and written as own properties: `__proto__` is a column name like any other.
  for (const column of relation.columns)
    setOwn(row, column.name, renderValue(ownValue(tuple, column.name), column.typeOid));
  return row;
}

function keyChanged(relation: Relation, oldKey: Tuple, row: Tuple): boolean {
  return relation.keyColumns.some(
    (k) => ownValue(oldKey, k) !== undefined && ownValue(oldKey, k) !== ownValue(row, k),
  );
}

function keyImage(relation: Relation, tuple: Tuple): Record<string, DmsValue> {
  const image: Record<string, DmsValue> = {};
  for (const column of relation.columns)
    if (relation.keyColumns.includes(column.name))
      setOwn(image, column.name, renderValue(ownValue(tuple, column.name), column.typeOid));
  return image;
}

/** The partition key and, with `IncludePartitionValue`, the metadata that names it. */
function partition(partitioning: Partitioning, relation: Relation, tuple: Tuple) {
  const key = dmsPartitionKey(
    partitioning,
    relation.schema,
    relation.name,
    relation.keyColumns.map((k) => ownValue(tuple, k)),
  );
  return partitioning === "schema-table"
    ? { key, metadata: { "partition-key-type": "schema-table" } }
    : { key, metadata: { "partition-key-type": "primary-key", "partition-key-value": key } };
}

export function transactionRecords(
  tx: CommittedTransaction,
  emittedMicros: bigint,
  partitioning: Partitioning = DEFAULT_PARTITIONING,
  /** Records of the transaction sent before these (a transaction sent in parts): numbering goes on. */
  sentBefore = 0,
): KinesisEntry[] {
  return tx.changes.map((change, at) => {
    const i = sentBefore + at;
    const relation = change.relation;
    const keyed = partition(partitioning, relation, change.kind === "delete" ? change.old : change.row);
    const metadata = {
      timestamp: isoMicros(emittedMicros),
      "record-type": "data",
      operation: change.kind,
      ...keyed.metadata,
      "schema-name": relation.schema,
      "table-name": relation.name,
      "transaction-id": tx.xid,
      "commit-timestamp": isoMicros(tx.commitMicros),
      "transaction-record-id": i + 1,
      ...(tx.prevXid !== undefined && { "prev-transaction-id": tx.prevXid }),
      "stream-position": `${tx.commitLsn}.${i + 1}`,
    };
    let body: Record<string, unknown>;
    if (change.kind === "delete") {
      // Default replica identity: the key columns carry values, the rest is null.
      body = { data: renderRow(relation, change.old) };
    } else if (change.kind === "update" && change.oldKey && keyChanged(relation, change.oldKey, change.row)) {
      // BeforeImageSettings with ColumnFilter pk-only: the old key, so the old document can be deleted.
      body = { data: renderRow(relation, change.row), "before-image": keyImage(relation, change.oldKey) };
    } else {
      body = { data: renderRow(relation, change.row) };
    }
    return { partitionKey: keyed.key, data: `${JSON.stringify({ ...body, metadata })}\n` };
  });
}

/**
 * DMS full-load records: no transaction details; `timestamp` is when DMS built the record, which is later
 * than the commit of any change made to the row during the load (those follow the load records). DMS
 * keys load records by primary key whatever the task's partitioning.
 */
export function loadRecord(relation: Relation, tuple: Tuple, builtMicros: bigint): KinesisEntry {
  const keyed = partition("primary-key", relation, tuple);
  const metadata = {
    timestamp: isoMicros(builtMicros),
    "record-type": "data",
    operation: "load",
    ...keyed.metadata,
    "schema-name": relation.schema,
    "table-name": relation.name,
  };
  return {
    partitionKey: keyed.key,
    data: `${JSON.stringify({ data: renderRow(relation, tuple), metadata })}\n`,
  };
}
