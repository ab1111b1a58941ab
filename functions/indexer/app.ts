/**
 * The indexer handler, assembled from its parts (search and SQS clients, routing config, settings,
 * logger, metrics). index.ts builds those once per container; tests pass their own.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import type { SQSClient } from "@aws-sdk/client-sqs";
import middy from "@middy/core";
import type { Context, KinesisStreamBatchResponse, KinesisStreamEvent } from "aws-lambda";
import type { PipelineConfig } from "../../shared/pipeline-config";
import type { IndexerSearch } from "./opensearch-client";
import { processBatch } from "./process-batch";
import { createBatchReporter } from "./report";
import type { IndexerSettings } from "./settings";

export type IndexerDeps = {
  search: IndexerSearch;
  sqs: SQSClient;
  pipeline: PipelineConfig;
  settings: Pick<IndexerSettings, "dlqUrl" | "dlqMaxMessageBytes" | "retry">;
  logger: Logger;
  metrics: Metrics;
};

export function createIndexerHandler(deps: IndexerDeps) {
  const report = createBatchReporter(deps.logger, deps.metrics);
  const indexBatch = async (
    event: KinesisStreamEvent,
    context: Context,
  ): Promise<KinesisStreamBatchResponse> => {
    const { response, stats } = await processBatch(event.Records, context, deps);
    report(stats);
    return response;
  };
  return middy(indexBatch).use(injectLambdaContext(deps.logger)).use(logMetrics(deps.metrics));
}
