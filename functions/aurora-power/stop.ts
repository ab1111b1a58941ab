/**
 * Aurora auto-stop Lambda (non-production, on a schedule): stops the cluster when the producer API has
 * served no request for AUTO_STOP_IDLE_HOURS. A cluster tagged `cdc:auto-stop=off` is left alone. With
 * DMS_TASK_IDENTIFIER, the DMS task is paused before the cluster stops and resumed once it is available
 * again (capture-link.ts).
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { CloudWatchClient } from "@aws-sdk/client-cloudwatch";
import { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import { RDSClient } from "@aws-sdk/client-rds";
import middy from "@middy/core";
import type { Context } from "aws-lambda";
import { ConfigError } from "../../shared/errors";
import { createLogger, createMetrics } from "../../shared/observability";
import { apiRequestCount } from "./api-activity";
import { pauseCapture, resumeCapture } from "./capture-link";
import { describeCluster, stopCluster } from "./cluster";
import { decideStop } from "./decide";
import { loadPowerSettings } from "./settings";

const logger = createLogger("aurora-auto-stop");
const metrics = createMetrics("aurora-auto-stop");
const settings = loadPowerSettings(process.env);
if (!settings.apiId)
  throw new ConfigError("PRODUCER_API_ID is required: auto-stop watches that API's traffic");
const rds = new RDSClient({ region: process.env.AWS_REGION });
const cloudwatch = new CloudWatchClient({ region: process.env.AWS_REGION });
const dms = new DatabaseMigrationServiceClient({ region: process.env.AWS_REGION });

export type StopResult = {
  cluster: string;
  status: string;
  apiRequests: number;
  action: "stop" | "none";
  outcome?: string;
  capture?: string;
};

async function autoStop(_event: unknown, context: Context): Promise<StopResult> {
  const cluster = await describeCluster(rds, settings.clusterIdentifier);
  const apiRequests = await apiRequestCount(cloudwatch, settings.apiId as string, settings.idleHours);
  const decision = decideStop(cluster, apiRequests, settings.idleHours);
  const result: StopResult = {
    cluster: settings.clusterIdentifier,
    status: cluster.status,
    apiRequests,
    action: decision.action,
  };
  const task = settings.dmsTaskIdentifier;
  if (decision.action === "stop") {
    // The task first: stopping its source under it would fail the task.
    if (task)
      result.capture = await pauseCapture(dms, task, {
        deadline: Date.now() + context.getRemainingTimeInMillis() - 20_000,
      });
    result.outcome = await stopCluster(rds, settings.clusterIdentifier);
    metrics.addMetric("ClusterStopRequested", MetricUnit.Count, 1);
  } else {
    metrics.addMetric("ClusterStopSkipped", MetricUnit.Count, 1);
    if (task && cluster.status === "available") result.capture = await resumeCapture(dms, task);
  }
  logger.info("auto-stop", { ...result, reason: decision.reason });
  return result;
}

export const handler = middy(autoStop).use(injectLambdaContext(logger)).use(logMetrics(metrics));
