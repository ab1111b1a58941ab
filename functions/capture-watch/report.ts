/**
 * The capture watch's one metric, `CaptureDown` (1 when the capture is down, else 0), which the
 * CaptureDown alarm reads. Every run reports it, so a watch that stops reporting alarms too (missing data
 * is breaching there).
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
