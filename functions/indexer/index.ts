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
import { createOpenSearchClient } from "../../shared/opensearch-client";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import type { BulkClient } from "./bulk-writer";
import { publishBatchMetrics } from "./metrics";
import { processBatch } from "./process-batch";
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

async function indexBatch(event: KinesisStreamEvent, context: Context): Promise<KinesisStreamBatchResponse> {
  const { response, stats } = await processBatch(event.Records, context, {
    search,
    sqs,
    pipeline,
    logger,
    settings,
  });
  publishBatchMetrics(metrics, stats);
  logger.info("batch processed", {
    received: stats.received,
    indexed: stats.indexed,
    deleted: stats.deleted,
    stale: stats.stale,
    compacted: stats.compacted,
    deadLettered: stats.deadLettered,
    leftForRetry: stats.failedToRetry,
    bulkRequests: stats.bulkRequests,
  });
  if (stats.usedRecordTimestamp > 0) {
    logger.warn(
      "changes without transaction details: versioned by metadata.timestamp; enable IncludeTransactionDetails",
      {
        count: stats.usedRecordTimestamp,
      },
    );
  }
  return response;
}

export const handler = middy(indexBatch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
