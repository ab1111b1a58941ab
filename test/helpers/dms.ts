/** Builders for DMS messages and Kinesis records used across tests. */
import type { KinesisStreamRecord } from "aws-lambda";
import { buildDeadLetter } from "../../shared/dead-letters";
import { dmsLine, kinesisRecord } from "../../tools/lib/kinesis-event";

export type ChangeInput = {
  op: "insert" | "update" | "delete" | "load";
  table?: string;
  row: Record<string, unknown>;
  before?: Record<string, unknown>;
  /** Commit time in epoch milliseconds plus an optional microsecond part. */
  commitMs?: number;
  micros?: number;
  recordId?: number;
};

const iso = (ms: number, micros = 0) =>
  `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, "0")}Z`;

export function dmsMessage(c: ChangeInput): Record<string, unknown> {
  const [schema, table] = (c.table ?? "public.orders").split(".");
  const commitMs = c.commitMs ?? Date.UTC(2026, 10, 21, 9, 0, 0);
  const metadata: Record<string, unknown> = {
    timestamp: iso(commitMs + 300, c.micros),
    "record-type": "data",
    operation: c.op,
    "partition-key-type": "schema-table",
    "schema-name": schema,
    "table-name": table,
  };
  if (c.op !== "load") {
    Object.assign(metadata, {
      "transaction-id": 1000 + (Math.floor(commitMs / 1000) % 100000),
      "commit-timestamp": iso(commitMs, c.micros),
      "transaction-record-id": c.recordId ?? 1,
    });
  }
  return { data: c.row, ...(c.before && { "before-image": c.before }), metadata };
}

export function changeRecord(c: ChangeInput, index: number): KinesisStreamRecord {
  return kinesisRecord({ partitionKey: c.table ?? "public.orders", data: dmsLine(dmsMessage(c)) }, index);
}

export function rawRecord(data: string, index: number, partitionKey = "public.orders"): KinesisStreamRecord {
  return kinesisRecord({ partitionKey, data }, index);
}

/** A DMS control record (create-table) for public.orders. */
export const controlMessage = () => ({
  metadata: {
    timestamp: "2026-01-01T00:00:00Z",
    "record-type": "control",
    operation: "create-table",
    "schema-name": "public",
    "table-name": "orders",
  },
});

/** When this process's test dead letters were written (one time, so a message built twice is the same). */
const DEAD_LETTERED_AT = new Date();

/**
 * The indexer's dead letter for `record` (a mapping conflict), as the deployed function writes it; under
 * `maxBytes` too small for the record, it only points at the record on the stream.
 */
export function indexerDeadLetter(
  record: KinesisStreamRecord,
  maxBytes = 262_144,
  meta: { table?: string } = {},
): string {
  return buildDeadLetter(
    record,
    { stage: "index", status: 400, type: "mapper_parsing_exception", reason: "failed to parse" },
    {
      functionName: "cdc-indexer-test",
      functionVersion: "$LATEST",
      awsRequestId: "req-1",
      now: DEAD_LETTERED_AT,
    },
    meta,
    maxBytes,
  );
}
