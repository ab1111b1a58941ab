/** EMF metrics for one batch. */
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { BatchStats } from "./process-batch";

export function publishBatchMetrics(metrics: Metrics, stats: BatchStats): void {
  const count = (name: string, value: number) => metrics.addMetric(name, MetricUnit.Count, value);
  count("RecordsReceived", stats.received);
  count("DocumentsIndexed", stats.indexed);
  count("DocumentsDeleted", stats.deleted);
  count("StaleSkipped", stats.stale);
  count("ActionsCompacted", stats.compacted);
  count("RouteFiltered", stats.filtered);
  count("ControlRecordsSkipped", stats.controlSkipped);
  count("RecordsDeadLettered", stats.deadLettered);
  count("ActionsRetried", stats.retried);
  count("RecordsLeftForRetry", stats.failedToRetry);
  count("BulkRequests", stats.bulkRequests);
  if (stats.bulkLatenciesMs.length > 0) {
    metrics.addMetric("BulkLatency", MetricUnit.Milliseconds, Math.max(...stats.bulkLatenciesMs));
  }
  if (stats.freshnessMs.length > 0) {
    const sum = stats.freshnessMs.reduce((a, b) => a + b, 0);
    metrics.addMetric("FreshnessMax", MetricUnit.Milliseconds, Math.max(...stats.freshnessMs));
    metrics.addMetric(
      "FreshnessAverage",
      MetricUnit.Milliseconds,
      Math.round(sum / stats.freshnessMs.length),
    );
  }
}
