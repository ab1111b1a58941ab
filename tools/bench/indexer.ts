/**
 * Indexer benchmarks on the workload of workload.ts: CPU per record of the bundled handler against the
 * naive indexer a user would otherwise write (naive-indexer.ts; target: 1.6x its records/s) and against
 * the least any indexer must do (indexer-cpu.ts, in processes of their own), peak memory for a 6 MB
 * batch, what reaches OpenSearch per change, and the heap a warm container keeps after many batches.
 */
import { readFileSync } from "node:fs";
import { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { IndexerSearch } from "../../functions/indexer/opensearch-client";
import { processBatch } from "../../functions/indexer/process-batch";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { createLambdaContext } from "../lib/lambda-context";
import { measureIndexerCpu } from "./indexer-cpu";
import { collect, type Result } from "./measure";
import { naiveBulkBody } from "./naive-indexer";
import { acceptAll, acceptingSearch } from "./standin";
import { workload } from "./workload";

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

export async function indexerBenchmarks(): Promise<Result[]> {
  const batch = workload(500);
  const cpu = await measureIndexerCpu();
  const recordsPerSecond = (ms: number) => Math.round(cpu.records / (ms / 1000)).toLocaleString("en-US");

  // What reaches OpenSearch per change: actions after compaction and body bytes, against the naive indexer's.
  const sent = { actions: 0, bytes: 0 };
  const counting: IndexerSearch = {
    ...acceptingSearch,
    async bulk({ body }) {
      const reply = acceptAll(body.toString());
      sent.actions += reply.items.length;
      sent.bytes += body.length;
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
      measure: `CPU ms for ${cpu.records} records, bundled handler (${recordsPerSecond(cpu.cpuMs.handler)}/s) / naive indexer (${recordsPerSecond(cpu.cpuMs.naive)}/s); target 1.6x its records/s`,
      subject: cpu.cpuMs.handler,
      baseline: cpu.cpuMs.naive,
      unit: "ms",
      target: 0.625,
      details: {
        cpuMsPerRecord: cpu.cpuMs.handler / cpu.records,
        naiveCpuMsPerRecord: cpu.cpuMs.naive / cpu.records,
      },
    },
    {
      name: "indexer vs floor",
      measure: `CPU ms for ${cpu.records} records, bundled handler / decode+parse+serialize floor (${recordsPerSecond(cpu.cpuMs.floor)}/s); ambition 0.75x its records/s (1.33x)`,
      subject: cpu.cpuMs.handler,
      baseline: cpu.cpuMs.floor,
      unit: "ms",
    },
    {
      name: "essential work vs naive",
      measure: `CPU ms for ${cpu.records} records, the floor plus the jsonb parse, one document per row and one bulk request per batch (no validation, coercion, versions or outcomes; ${recordsPerSecond(cpu.cpuMs.essential)}/s) / naive indexer: what the 0.625x target leaves the handler for the rest is the difference`,
      subject: cpu.cpuMs.essential,
      baseline: cpu.cpuMs.naive,
      unit: "ms",
    },
    {
      name: "indexer peak memory",
      measure: `peak RSS handling one ${cpu.eventMiB.toFixed(1)} MiB batch (Lambda's payload limit): handler / naive indexer (building the batch alone: ${cpu.peakMiB.none.toFixed(0)} MiB)`,
      subject: cpu.peakMiB.handler,
      baseline: cpu.peakMiB.naive,
      unit: "MiB",
    },
    {
      name: "indexer peak heap",
      measure: `peak V8 heap in use (from --trace-gc) handling the same batch: handler / naive indexer (building the batch alone: ${cpu.heapPeakMiB.none.toFixed(0)} MiB)`,
      subject: cpu.heapPeakMiB.handler,
      baseline: cpu.heapPeakMiB.naive,
      unit: "MiB",
    },
    {
      name: "indexer scavenge survivors",
      measure:
        "median MiB surviving a young-generation collection (what each one copies) over the CPU workload: handler / naive indexer",
      subject: cpu.scavengeSurvivorsMiB.handler,
      baseline: cpu.scavengeSurvivorsMiB.naive,
      unit: "MiB",
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
