/**
 * Indexer benchmarks, in process (no network, a stand-in OpenSearch that costs nothing): the CPU the
 * indexer spends on 500-record batches against the naive indexer a user would otherwise write
 * (naive-indexer.ts; target: 1.6x its records/s) and against the least any indexer must do with them
 * (decode, parse, one bulk line per record), and the heap a warm container keeps after many batches.
 */
import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { KinesisStreamRecord } from "aws-lambda";
import type { BulkClient } from "../../functions/indexer/bulk-writer";
import { processBatch } from "../../functions/indexer/process-batch";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { dmsLine, kinesisRecord } from "../lib/kinesis-event";
import { createLambdaContext } from "../lib/lambda-context";
import { collect, compare, type Result } from "./measure";
import { naiveBulkBody } from "./naive-indexer";
import { acceptAll, acceptingSearch } from "./standin";

/** A realistic batch: updates to a few hundred hot rows, inserts, deletes, a jsonb column of ~1 KB. */
export function workload(size: number, offset = 0): KinesisStreamRecord[] {
  const base = Date.UTC(2026, 10, 21, 9, 0, 0);
  return Array.from({ length: size }, (_, i) => {
    const n = offset + i;
    const op = n % 10 === 9 ? "delete" : n % 10 >= 7 ? "insert" : "update";
    const id = op === "insert" ? 100_000 + n : n % 200;
    const commit = new Date(base + n * 3).toISOString().replace("Z", "123Z");
    const message = {
      data: {
        id,
        customer_id: n % 50,
        status: `s${n % 7}`,
        amount: `${(n % 1000) + 0.5}`,
        attributes: JSON.stringify({
          channel: "web",
          tags: Array.from({ length: 20 }, (_, t) => `tag-${t}-${n % 13}`),
          note: "x".repeat(600),
        }),
        active: "true",
        card_number: "4111111111111111",
        created_at: "2026-11-21 09:15:02.123456",
        updated_at: "2026-11-21 09:15:02.123456",
      },
      metadata: {
        timestamp: commit,
        "record-type": "data",
        operation: op,
        "partition-key-type": "schema-table",
        "schema-name": "public",
        "table-name": "orders",
        "transaction-id": 5_000 + n,
        "commit-timestamp": commit,
        "transaction-record-id": 1,
      },
    };
    return kinesisRecord({ partitionKey: "public.orders", data: dmsLine(message) }, n);
  });
}

const pipeline = parsePipelineConfig(readFileSync("config/pipeline.yaml", "utf8"), { indexPrefix: "bench-" });
const deps = {
  search: acceptingSearch,
  sqs: { send: async () => ({}) } as unknown as SQSClient,
  pipeline,
  logger: new Logger({ serviceName: "bench", logLevel: "SILENT" }),
  settings: {
    dlqUrl: "http://dlq",
    dlqMaxMessageBytes: 262_144,
    retry: { maxBytes: 5_000_000, maxActions: 1_000, baseDelayMs: 1, maxDelayMs: 1, safetyMarginMs: 0 },
  },
};
const context = () =>
  createLambdaContext({ functionName: "bench", timeoutSeconds: 60, memorySize: 1024, region: "us-east-1" });

/** The floor: decode and parse every record, write one bulk action and source line for it. */
function parseOnly(records: KinesisStreamRecord[]): string {
  const lines: string[] = [];
  for (const r of records) {
    const message = JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as {
      data: { id: number };
    };
    lines.push(
      JSON.stringify({ index: { _index: "bench-orders", _id: String(message.data.id) } }),
      JSON.stringify(message.data),
    );
  }
  return JSON.stringify(acceptAll(`${lines.join("\n")}\n`).items.length);
}

export async function indexerBenchmarks(): Promise<Result[]> {
  const batch = workload(500);
  const naive = await compare(
    40,
    async () => {
      const { stats } = await processBatch(batch, context(), deps);
      if (stats.received !== 500) throw new Error("bench batch was not processed");
    },
    () => acceptAll(naiveBulkBody(batch, pipeline)),
    10,
  );
  const cpu = await compare(
    40,
    async () => {
      const { stats } = await processBatch(batch, context(), deps);
      if (stats.received !== 500) throw new Error("bench batch was not processed");
    },
    () => parseOnly(batch),
    10,
  );

  // What reaches OpenSearch per change: actions after compaction and body bytes, against the naive indexer's.
  const sent = { actions: 0, bytes: 0 };
  const counting: BulkClient = {
    async bulk({ body }) {
      const reply = acceptAll(body);
      sent.actions += reply.items.length;
      sent.bytes += Buffer.byteLength(body);
      return { body: reply };
    },
  };
  await processBatch(batch, context(), { ...deps, search: counting });
  const naiveBody = naiveBulkBody(batch, pipeline);
  const naiveActions = acceptAll(naiveBody).items.length;

  // Retention: a warm container handling 200 batches must keep (almost) nothing of them.
  const payloadBytes = batch.reduce((sum, r) => sum + r.kinesis.data.length, 0);
  collect();
  const before = process.memoryUsage().heapUsed;
  for (let i = 0; i < 200; i++) await processBatch(workload(500, i * 500), context(), deps);
  collect();
  const retained = Math.max(0, process.memoryUsage().heapUsed - before);

  return [
    {
      name: "indexer vs naive indexer",
      measure: "processBatch of 500 records / the naive indexer on the same batch (1.6x its records/s)",
      subject: naive.subject,
      baseline: naive.baseline,
      unit: "ms",
      target: 0.625,
    },
    {
      name: "indexer vs floor",
      measure: "processBatch of 500 records / decode+parse+serialize floor (ambition: 0.75x its records/s)",
      subject: cpu.subject,
      baseline: cpu.baseline,
      unit: "ms",
      target: 3,
    },
    {
      name: "bulk actions per change",
      measure: `actions sent after compaction / the naive indexer's (${naiveActions} for ${batch.length} changes)`,
      subject: sent.actions,
      baseline: naiveActions,
      unit: "actions",
    },
    {
      name: "bulk bytes per change",
      measure: "bytes of the bulk bodies / the naive indexer's (no request compression is offered)",
      subject: sent.bytes / batch.length,
      baseline: Buffer.byteLength(naiveBody) / batch.length,
      unit: "bytes",
    },
    {
      name: "indexer heap retained",
      measure: "heap growth after 200 batches / bytes of one batch",
      subject: retained / 1024,
      baseline: payloadBytes / 1024,
      unit: "KiB",
      target: 0.5,
    },
  ];
}
