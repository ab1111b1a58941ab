/**
 * What a batch tells the operator: EMF metrics, one info line of counts (never row data), and a warning
 * (once per container) when changes arrive without DMS transaction details.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
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
  count("DeletesWithoutDocument", stats.nothingToDelete);
  count("RecordsDeadLettered", stats.deadLettered);
  count("RecordsSuperseded", stats.superseded);
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

/** A reporter per container: it remembers whether the missing-transaction-details warning was given. */
export function createBatchReporter(logger: Logger, metrics: Metrics): (stats: BatchStats) => void {
  let warnedAboutRecordTimestamps = false;
  return (stats) => {
    publishBatchMetrics(metrics, stats);
    logger.info("batch processed", {
      received: stats.received,
      indexed: stats.indexed,
      deleted: stats.deleted,
      stale: stats.stale,
      compacted: stats.compacted,
      filtered: stats.filtered,
      controlSkipped: stats.controlSkipped,
      nothingToDelete: stats.nothingToDelete,
      deadLettered: stats.deadLettered,
      superseded: stats.superseded,
      leftForRetry: stats.failedToRetry,
      bulkRequests: stats.bulkRequests,
    });
    if (stats.usedRecordTimestamp > 0 && !warnedAboutRecordTimestamps) {
      warnedAboutRecordTimestamps = true;
      logger.warn(
        "changes without transaction details are versioned by metadata.timestamp; set IncludeTransactionDetails on the DMS endpoint (logged once per container)",
        { count: stats.usedRecordTimestamp },
      );
    }
  };
}
