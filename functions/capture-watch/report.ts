/**
 * The capture watch's one metric, `CaptureDown` (1 when the capture is down, else 0), which the
 * CaptureDown alarm reads; every run reports it. A run that fails is a Lambda error, which the
 * CaptureWatchErrors alarm reads.
 */
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { MetricUnit } from "@aws-lambda-powertools/metrics";
import type { CaptureAssessment } from "./assess";

export const CAPTURE_DOWN_METRIC = "CaptureDown";

export function publishCaptureMetric(
  metrics: Pick<Metrics, "addMetric">,
  assessment: CaptureAssessment,
): void {
  metrics.addMetric(CAPTURE_DOWN_METRIC, MetricUnit.Count, assessment.state === "down" ? 1 : 0);
}
