/**
 * Aurora auto-start Lambda (non-production): invoked asynchronously by the producer API when the
 * database cannot be reached. Starts the cluster if it is stopped; otherwise does nothing. Idempotent.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { RDSClient } from "@aws-sdk/client-rds";
import middy from "@middy/core";
import { createLogger, createMetrics } from "../../shared/observability";
import { describeCluster, startCluster } from "./cluster";
import { decideStart } from "./decide";
import { loadPowerSettings } from "./settings";

const logger = createLogger("aurora-auto-start");
const metrics = createMetrics("aurora-auto-start");
const settings = loadPowerSettings(process.env);
const rds = new RDSClient({ region: process.env.AWS_REGION });

export type StartResult = { cluster: string; status: string; action: "start" | "none"; outcome?: string };

async function autoStart(event: { source?: unknown; reason?: unknown } | undefined): Promise<StartResult> {
  const cluster = await describeCluster(rds, settings.clusterIdentifier);
  const decision = decideStart(cluster);
  const result: StartResult = {
    cluster: settings.clusterIdentifier,
    status: cluster.status,
    action: decision.action,
  };
  if (decision.action === "start") {
    result.outcome = await startCluster(rds, settings.clusterIdentifier);
    metrics.addMetric("ClusterStartRequested", MetricUnit.Count, 1);
  } else metrics.addMetric("ClusterStartSkipped", MetricUnit.Count, 1);
  logger.info("auto-start", { ...result, reason: decision.reason, requestedBy: event?.source });
  return result;
}

export const handler = middy(autoStart).use(injectLambdaContext(logger)).use(logMetrics(metrics));
