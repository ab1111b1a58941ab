/**
 * Capture watch Lambda (every 5 minutes, every stage): reports whether the DMS task that captures the
 * database is down (failed, stopped by anyone but the Aurora auto-stop, never started, gone) as the
 * `CaptureDown` metric and, when it is, a warning with the task's status and last failure. The
 * CaptureDown alarm fires on two such reports in a row; CaptureWatchErrors when the watch itself fails.
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import middy from "@middy/core";
import { createLogger, createMetrics } from "../../shared/observability";
import type { CaptureAssessment } from "./assess";
import { publishCaptureMetric } from "./report";
import { loadWatchSettings } from "./settings";
import { watchCapture } from "./watch";

const logger = createLogger("capture-watch");
const metrics = createMetrics("capture-watch");
const settings = loadWatchSettings(process.env);
const dms = new DatabaseMigrationServiceClient({ region: process.env.AWS_REGION });

async function watch(): Promise<CaptureAssessment> {
  const assessment = await watchCapture(dms, settings.taskIdentifier);
  publishCaptureMetric(metrics, assessment);
  const entry = { task: settings.taskIdentifier, ...assessment };
  if (assessment.state === "down") logger.warn("capture is down", entry);
  else logger.info("capture checked", entry);
  return assessment;
}

export const handler = middy(watch).use(injectLambdaContext(logger)).use(logMetrics(metrics));
