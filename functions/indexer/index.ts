/**
 * CDC indexer Lambda: Kinesis (DMS change records) -> OpenSearch. Wiring only: settings, routing
 * config and clients are built once per container; the work is in process-batch.ts.
 */
import { readFileSync } from "node:fs";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import bundledConfig from "../../config/pipeline.yaml";
import { createSqsClient } from "../../shared/aws-clients";
import { createLogger, createMetrics } from "../../shared/observability";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import type { BulkClient } from "./bulk-writer";
import { createOpenSearchClient } from "./opensearch-client";
import { processBatch } from "./process-batch";
import { createBatchReporter } from "./report";
import { loadIndexerSettings } from "./settings";

const logger = createLogger("cdc-indexer");
const metrics = createMetrics("cdc-indexer");
const settings = loadIndexerSettings(process.env);
const pipeline = parsePipelineConfig(
  settings.pipelineConfigPath ? readFileSync(settings.pipelineConfigPath, "utf8") : bundledConfig,
  { indexPrefix: settings.indexPrefix, source: settings.pipelineConfigPath ?? "config/pipeline.yaml" },
);
const search = createOpenSearchClient(settings.openSearch) as unknown as BulkClient;
const sqs = createSqsClient(settings.openSearch.region);
const report = createBatchReporter(logger, metrics);

async function indexBatch(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const { response, stats } = await processBatch(event.Records, context, {
    search,
    sqs,
    pipeline,
    logger,
    settings,
  });
  report(stats);
  return response;
}

export const handler = middy(indexBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
