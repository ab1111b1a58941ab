/**
 * CDC indexer Lambda: Kinesis (DMS change records) -> OpenSearch. Wiring only: settings, routing config
 * and clients are built once per container (app.ts assembles the handler; process-batch.ts does the work).
 */
import { readFileSync } from "node:fs";
import bundledConfig from "../../config/pipeline.yaml";
import { createSqsClient } from "../../shared/aws-clients";
import { createLogger, createMetrics } from "../../shared/observability";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { createIndexerHandler } from "./app";
import { createIndexerClient } from "./opensearch-client";
import { loadIndexerSettings } from "./settings";

const settings = loadIndexerSettings(process.env);

export const handler = createIndexerHandler({
  settings,
  pipeline: parsePipelineConfig(
    settings.pipelineConfigPath ? readFileSync(settings.pipelineConfigPath, "utf8") : bundledConfig,
    { indexPrefix: settings.indexPrefix, source: settings.pipelineConfigPath ?? "config/pipeline.yaml" },
  ),
  search: createIndexerClient(settings.openSearch),
  sqs: createSqsClient(settings.openSearch.region),
  logger: createLogger("cdc-indexer"),
  metrics: createMetrics("cdc-indexer"),
});
