/**
 * The measured process of the indexer CPU benchmark (bundled by indexer-cpu.ts, run with plain node):
 * the bundled Lambda handler, the naive indexer, the floor and the essential work take turns on the same
 * 20,000 records,
 * and each turn's CPU time of this process (user + system, every thread) is recorded. The stand-in
 * OpenSearch runs in another process, so its work is not counted; the HTTP client's is.
 *
 * With `peak` set it instead handles one batch of about 6 MB (Lambda's payload limit) and reports the
 * process's peak resident set, what a Lambda memory setting must hold; one indexer per fresh process.
 */
import { readFileSync } from "node:fs";
import { Client } from "@opensearch-project/opensearch";
import type { KinesisStreamEvent } from "aws-lambda";
import { BULK_FILTER_PATH } from "../../functions/indexer/classify";
import { createOpenSearchClient } from "../../shared/opensearch-client";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { createLambdaContext } from "../lib/lambda-context";
import { createNaiveHandler } from "./naive-indexer";
import { workload } from "./workload";

type Handler = (event: KinesisStreamEvent, context: unknown) => Promise<unknown>;
type Options = {
  handlerBundle: string;
  endpoint: string;
  rounds: number;
  batches: number;
  batchSize: number;
  peak?: "handler" | "naive" | "none";
  /** Run only these subjects (for profiling one with --cpu-prof). */
  only?: string[];
};

const options = JSON.parse(process.argv[2] as string) as Options;
// Forked by the bench: if it dies (Ctrl-C, kill -9), the IPC channel closes and this process ends too.
process.on("disconnect", () => process.exit(1));
const pipeline = parsePipelineConfig(readFileSync("config/pipeline.yaml", "utf8"), { indexPrefix: "bench-" });
const context = () =>
  createLambdaContext({ functionName: "bench", timeoutSeconds: 60, memorySize: 1024, region: "us-east-1" });

/** The least any indexer does with a record: decode, parse, one action and source line each. */
function floor(event: KinesisStreamEvent): number {
  const lines: string[] = [];
  for (const r of event.Records) {
    const message = JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as {
      data: { id: number };
    };
    lines.push(
      JSON.stringify({ index: { _index: "bench-orders", _id: String(message.data.id) } }),
      JSON.stringify(message.data),
    );
  }
  return `${lines.join("\n")}\n`.length;
}

/**
 * The floor plus what this workload demands of any indexer that sends what the handler sends: the jsonb
 * column parsed (it is indexed as an object), the excluded column left out, one document per row of the
 * batch (the last change wins) and the batch sent as one bulk request, through the handler's client and
 * filter_path, whose answer is read. No validation, no other coercion, no real versions, no outcomes:
 * what is left between it and the target is all the handler may spend on those.
 */
function essentialWork(client: Client) {
  return async (event: KinesisStreamEvent): Promise<void> => {
    const lines = new Map<string, string>();
    for (const r of event.Records) {
      const message = JSON.parse(Buffer.from(r.kinesis.data, "base64").toString("utf8")) as {
        data: Record<string, unknown>;
        metadata: { operation: string };
      };
      const row = message.data;
      const id = String(row.id);
      const meta = `{"_index":"bench-orders","_id":${JSON.stringify(id)},"version":${lines.size + 1},"version_type":"external_gte"}`;
      if (message.metadata.operation === "delete") {
        lines.set(id, `{"delete":${meta}}\n`);
        continue;
      }
      const doc: Record<string, unknown> = {};
      for (const column in row)
        if (column === "attributes") doc[column] = JSON.parse(row[column] as string);
        else if (column !== "card_number") doc[column] = row[column];
      lines.set(id, `{"index":${meta}}\n${JSON.stringify(doc)}\n`);
    }
    const { body } = await client.bulk({
      body: Buffer.from([...lines.values()].join("")),
      filter_path: BULK_FILTER_PATH,
    } as never);
    const items = (body as { items?: unknown[] }).items;
    if (items?.length !== lines.size) throw new Error("the stand-in did not answer every action");
  };
}

async function subjects(): Promise<Record<string, Handler>> {
  const bundled = (await import(options.handlerBundle)) as { handler: Handler };
  const naive = createNaiveHandler(new Client({ node: options.endpoint, maxRetries: 0 }), pipeline);
  return {
    handler: async (event) => {
      const reply = (await bundled.handler(event, context())) as { batchItemFailures: unknown[] };
      if (reply.batchItemFailures.length > 0) throw new Error("the handler reported failures");
    },
    naive: (event) => naive(event),
    floor: async (event) => floor(event),
    essential: essentialWork(
      createOpenSearchClient(
        { endpoint: options.endpoint, auth: "none", region: "us-east-1" },
        { plainJsonResponses: true },
      ),
    ),
  };
}

async function cpuRounds(): Promise<Record<string, number[]>> {
  const run = await subjects();
  const events: KinesisStreamEvent[] = Array.from({ length: options.batches }, (_, b) => ({
    Records: workload(options.batchSize, b * options.batchSize),
  }));
  const names = Object.keys(run).filter((name) => !options.only || options.only.includes(name));
  const cpu: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, []]));
  for (let round = -2; round < options.rounds; round++) {
    // Rotate who goes first, so no subject always follows the same one.
    const order = names.map((_, i) => names[(i + Math.max(0, round)) % names.length] as string);
    for (const name of order) {
      const started = process.cpuUsage();
      for (const event of events) await (run[name] as Handler)(event, undefined);
      const used = process.cpuUsage(started);
      if (round >= 0) cpu[name]?.push((used.user + used.system) / 1000);
    }
  }
  return cpu;
}

/** Peak resident set of this whole process after handling one batch of about 6 MB ("none": not handled). */
async function peakResident(
  which: "handler" | "naive" | "none",
): Promise<{ peakMiB: number; eventMiB: number; heapMiB: number }> {
  const run = await subjects();
  // As many records as fit in Lambda's 6 MB invocation payload.
  const perRecord = Buffer.byteLength(JSON.stringify(workload(100, 1_000_000))) / 100;
  const event = { Records: workload(Math.floor(6_000_000 / perRecord), 1_000_000) };
  const eventMiB = Buffer.byteLength(JSON.stringify(event)) / 2 ** 20;
  if (which !== "none") await (run[which] as Handler)(event, undefined);
  return {
    peakMiB: process.resourceUsage().maxRSS / 1024,
    eventMiB,
    heapMiB: process.memoryUsage().heapUsed / 2 ** 20,
  };
}

const result = options.peak ? await peakResident(options.peak) : await cpuRounds();
process.send?.(result, () => process.exit(0));
