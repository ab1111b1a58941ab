/**
 * Partition keys and concurrency, on the local stack's poller (which keeps Lambda's rule: one batch at a
 * time per lane, a partition key always on the same lane, ParallelizationFactor lanes per shard): one
 * table's changes keyed `schema.table` (DmsPartitioning=schema-table) against keyed by primary key (the
 * default), drained from one kinesalite shard by an indexer modelled as a bulk round trip of 30 ms plus
 * 0.5 ms per record (a 500-document request on a small domain). The ratio of the drain times is the ratio of the per-table ceilings on a shard.
 */
import { PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { parameterTypes, parameterValues, pseudoParameters } from "../lib/cfn-resolve";
import { loadTemplate } from "../lib/cfn-yaml";
import { localFunction } from "../lib/sam-function";
import { ensureStream, startKinesalite } from "../local-stack/kinesis";
import { type EsmSettings, kinesisEventSource } from "../local-stack/poller/esm-settings";
import { KinesisPoller } from "../local-stack/poller/poller";
import type { Result } from "./measure";
import { keyOf } from "./workload";

const REGION = "us-east-1";
export const MODELLED_BATCH = { fixedMs: 30, perRecordMs: 0.5 };

/** The indexer as template.yaml declares it (read as the local stack reads it): memory and event source. */
export function templateIndexer(): { memorySize: number; eventSource: EsmSettings } {
  const template = loadTemplate("template.yaml");
  const fn = localFunction(
    template,
    "IndexerFunction",
    {
      parameters: parameterValues(template, {}, {}),
      pseudo: pseudoParameters(REGION),
      conditions: template.Conditions ?? {},
      parameterTypes: parameterTypes(template),
    },
    process.cwd(),
  );
  return { memorySize: fn.memorySize, eventSource: kinesisEventSource(fn) };
}

async function drainMs(
  url: string,
  stream: string,
  key: (n: number) => string,
  records: number,
  settings: EsmSettings,
): Promise<number> {
  const kinesis = createKinesisClient(REGION, url);
  const arn = await ensureStream(kinesis, stream, 1);
  for (let i = 0; i < records; i += 500)
    await kinesis.send(
      new PutRecordsCommand({
        StreamName: stream,
        Records: Array.from({ length: Math.min(500, records - i) }, (_, j) => ({
          PartitionKey: key(i + j),
          Data: Buffer.from("{}"),
        })),
      }),
    );
  const poller = new KinesisPoller({
    kinesis,
    streamName: stream,
    streamArn: arn,
    region: REGION,
    settings,
    fn: { functionName: "bench", timeoutSeconds: 60, memorySize: 1024 },
    invoke: async (event) => {
      const ms = MODELLED_BATCH.fixedMs + MODELLED_BATCH.perRecordMs * event.Records.length;
      await new Promise((r) => setTimeout(r, ms));
      return { batchItemFailures: [] };
    },
    pollIntervalMs: 20,
  });
  const started = performance.now();
  await poller.start();
  while (poller.stats.acknowledged < records) await new Promise((r) => setTimeout(r, 10));
  const elapsed = performance.now() - started;
  await poller.stop();
  return elapsed;
}

export async function laneBenchmarks(records = 10_000): Promise<Result[]> {
  const kinesalite = await startKinesalite();
  try {
    const template = templateIndexer().eventSource;
    const results: Result[] = [];
    for (const parallelizationFactor of [template.parallelizationFactor, 4]) {
      const settings = { ...template, parallelizationFactor };
      const byTable = await drainMs(
        kinesalite.url,
        `t${parallelizationFactor}`,
        () => "public.orders",
        records,
        settings,
      );
      const byKey = await drainMs(
        kinesalite.url,
        `k${parallelizationFactor}`,
        (n) => `public.orders.${keyOf(n)}`,
        records,
        settings,
      );
      const perSecond = (ms: number) => Math.round(records / (ms / 1000)).toLocaleString("en-US");
      results.push({
        name: `one table, PF ${parallelizationFactor}: PK vs table keys`,
        measure: `drain of ${records} changes of one table from one shard, ParallelizationFactor ${parallelizationFactor}, batch ${settings.batchSize}: primary-key keys ${perSecond(byKey)}/s / schema.table keys ${perSecond(byTable)}/s (ms)`,
        subject: byKey,
        baseline: byTable,
        unit: "ms",
      });
    }
    return results;
  } finally {
    await kinesalite.stop();
  }
}
