/**
 * The baseline a user would otherwise write: the obvious indexer from the design documents, with the
 * same coercions and versions as the project's (so the work is comparable), and none of its care:
 * parse each record, build action objects, let `@opensearch-project/opensearch` serialize the bulk body,
 * no compaction, no validation beyond JSON.parse, no per-record error handling.
 */
import { Client } from "@opensearch-project/opensearch";
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";
import type { PipelineConfig } from "../../shared/pipeline-config";

const serializer = new Client({ node: "http://127.0.0.1:9" }).serializer;
const EPOCH_MICROS = Date.UTC(2020, 0, 1) * 1000;

type DmsRecord = {
  data?: Record<string, unknown>;
  metadata: {
    operation: string;
    "record-type": string;
    "schema-name": string;
    "table-name": string;
    "commit-timestamp"?: string;
    "transaction-record-id"?: number;
  };
};

function coerce(type: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "number":
    case "integer":
      return Number(value);
    case "boolean":
      return value === true || value === "true" || value === "t" || value === "1";
    case "json":
      return typeof value === "string" ? JSON.parse(value) : value;
    case "timestamp":
      return new Date(`${String(value).replace(" ", "T")}Z`).toISOString();
    default:
      return typeof value === "object" ? JSON.stringify(value) : String(value);
  }
}

/** The action and source objects the naive indexer sends for a batch. */
export function naiveActions(
  records: KinesisStreamRecord[],
  pipeline: PipelineConfig,
): Record<string, unknown>[] {
  const body: Record<string, unknown>[] = [];
  for (const record of records) {
    const message = JSON.parse(Buffer.from(record.kinesis.data, "base64").toString("utf8")) as DmsRecord;
    const m = message.metadata;
    if (m["record-type"] !== "data" || !message.data) continue;
    const routing = pipeline.routingFor(m["schema-name"], m["table-name"]);
    const id = (routing.primaryKey ?? []).map((k) => String(message.data?.[k])).join("|");
    const commit = m["commit-timestamp"];
    const micros = commit
      ? Date.parse(commit.replace(" ", "T")) * 1000 + Number(commit.slice(23, 26) || 0)
      : 0;
    const version = commit ? (micros - EPOCH_MICROS) * 8192 + Number(m["transaction-record-id"] ?? 0) : 0;
    const meta = { _index: routing.index, _id: id, version, version_type: "external_gte" };
    if (m.operation === "delete") {
      body.push({ delete: meta });
      continue;
    }
    const doc: Record<string, unknown> = {};
    for (const [column, value] of Object.entries(message.data)) {
      if (routing.exclude.has(column)) continue;
      const type = routing.columns[column];
      doc[column] = type ? coerce(type, value) : value;
    }
    body.push({ index: meta }, doc);
  }
  return body;
}

/** The bulk body the naive indexer sends for a batch, as the client serializes it. */
export function naiveBulkBody(records: KinesisStreamRecord[], pipeline: PipelineConfig): string {
  return serializer.ndserialize(naiveActions(records, pipeline));
}

/** The naive Lambda handler: one `client.bulk` per batch, the batch retried whole on any error. */
export function createNaiveHandler(client: Client, pipeline: PipelineConfig) {
  return async (event: KinesisStreamEvent): Promise<void> => {
    const body = naiveActions(event.Records, pipeline);
    if (body.length === 0) return;
    const response = await client.bulk({ body });
    if (response.body.errors) throw new Error("bulk request had errors");
  };
}
