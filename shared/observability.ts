/** Powertools logger and metrics, created once per container. */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";

export function createLogger(serviceName: string): Logger {
  return new Logger({ serviceName });
}

/**
 * EMF metrics in the `CdcPipeline` namespace with the dimensions `service` and `stage` (from STAGE), so
 * the stages of one account never mix and the alarms of template.yaml find them.
 */
export function createMetrics(serviceName: string, env: NodeJS.ProcessEnv = process.env): Metrics {
  return new Metrics({
    serviceName,
    namespace: env.POWERTOOLS_METRICS_NAMESPACE ?? "CdcPipeline",
    ...(env.STAGE && { defaultDimensions: { stage: env.STAGE } }),
  });
}
