/**
 * What operators see: the EMF metrics of a batch, the info log line (counts, never row data), and the
 * missing-transaction-details warning given once per container. Uses the real Powertools Logger and
 * Metrics and reads what they print.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { type BatchStats, processBatch } from "../../../functions/indexer/process-batch";
import { createBatchReporter } from "../../../functions/indexer/report";
import { parsePipelineConfig } from "../../../shared/pipeline-config";
import { changeRecord, rawRecord } from "../../helpers/dms";
import { TEST_BATCH_SETTINGS, testContext } from "../../helpers/lambda";
import { capturePrinted } from "../../helpers/printed";
import { inProcessBulkClient, newEmulator } from "../../helpers/search";

const { jsonLines, text } = capturePrinted();
beforeEach(() => {
  vi.stubEnv("POWERTOOLS_DEV", "");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
});
afterEach(() => {
  vi.unstubAllEnvs();
});

const stats = (overrides: Partial<BatchStats> = {}): BatchStats => ({
  received: 12,
  controlSkipped: 1,
  nothingToDelete: 1,
  indexed: 6,
  deleted: 2,
  stale: 1,
  compacted: 2,
  filtered: 3,
  deadLettered: 1,
  superseded: 2,
  retried: 4,
  failedToRetry: 0,
  bulkRequests: 2,
  bulkLatenciesMs: [40, 25],
  freshnessMs: [900, 300, 600],
  usedRecordTimestamp: 0,
  ...overrides,
});

describe("batch report", () => {
  it("publishes one EMF document with every batch metric, latency and freshness max/average", () => {
    const metrics = new Metrics({ serviceName: "cdc-indexer", namespace: "CdcPipeline" });
    const report = createBatchReporter(new Logger({ serviceName: "cdc-indexer" }), metrics);
    report(stats());
    metrics.publishStoredMetrics();

    const emf = jsonLines().find((line) => "_aws" in line) as Record<string, unknown>;
    const declared = (
      emf._aws as { CloudWatchMetrics: { Namespace: string; Metrics: { Name: string; Unit: string }[] }[] }
    ).CloudWatchMetrics[0];
    expect(declared?.Namespace).toBe("CdcPipeline");
    expect(Object.fromEntries(declared?.Metrics.map((m) => [m.Name, m.Unit]) ?? [])).toEqual({
      RecordsReceived: "Count",
      DocumentsIndexed: "Count",
      DocumentsDeleted: "Count",
      StaleSkipped: "Count",
      ActionsCompacted: "Count",
      RouteFiltered: "Count",
      ControlRecordsSkipped: "Count",
      DeletesWithoutDocument: "Count",
      RecordsDeadLettered: "Count",
      RecordsSuperseded: "Count",
      ActionsRetried: "Count",
      RecordsLeftForRetry: "Count",
      BulkRequests: "Count",
      BulkLatency: "Milliseconds",
      FreshnessMax: "Milliseconds",
      FreshnessAverage: "Milliseconds",
    });
    expect(emf).toMatchObject({
      service: "cdc-indexer",
      RecordsReceived: 12,
      DocumentsIndexed: 6,
      DocumentsDeleted: 2,
      StaleSkipped: 1,
      ActionsCompacted: 2,
      RouteFiltered: 3,
      ControlRecordsSkipped: 1,
      DeletesWithoutDocument: 1,
      RecordsDeadLettered: 1,
      RecordsSuperseded: 2,
      ActionsRetried: 4,
      BulkLatency: 40,
      FreshnessMax: 900,
      FreshnessAverage: 600,
    });
  });

  it("warns about missing transaction details once per container, not once per batch", () => {
    const report = createBatchReporter(
      new Logger({ serviceName: "cdc-indexer" }),
      new Metrics({ namespace: "CdcPipeline" }),
    );
    report(stats({ usedRecordTimestamp: 3 }));
    report(stats({ usedRecordTimestamp: 5 }));
    report(stats());
    const lines = jsonLines();
    expect(lines.filter((l) => l.message === "batch processed")).toHaveLength(3);
    const warnings = lines.filter((l) => l.level === "WARN");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({
      count: 3,
      message: expect.stringContaining("IncludeTransactionDetails"),
    });
  });
});

describe("logs at info level", () => {
  const sqsMock = mockClient(SQSClient);
  afterEach(() => sqsMock.reset());

  it("carry counts, sequence numbers and error types, never row values", async () => {
    sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
      Successful: input.Entries.map((e) => ({ Id: e.Id })),
      Failed: [],
    }));
    const secret = "4111-1111-SECRET-ROW-VALUE";
    const logger = new Logger({ serviceName: "cdc-indexer", logLevel: "INFO" });
    const metrics = new Metrics({ namespace: "CdcPipeline" });
    const records = [
      changeRecord({ op: "insert", row: { id: 1, note: secret, amount: "10" } }, 0),
      changeRecord({ op: "insert", row: { id: 2, note: secret, amount: `not a number ${secret}` } }, 1),
      rawRecord(`{"data": {"id": 3, "note": "${secret}"`, 2),
    ];
    const { stats: batch } = await processBatch(records, testContext(), {
      search: inProcessBulkClient(newEmulator()),
      sqs: new SQSClient({ region: "eu-west-1" }),
      pipeline: parsePipelineConfig("tables: {public.orders: {columns: {amount: number}}}"),
      logger,
      settings: { ...TEST_BATCH_SETTINGS, dlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq" },
    });
    createBatchReporter(logger, metrics)(batch);

    const lines = jsonLines();
    expect(lines.map((l) => l.message)).toEqual([
      "record dead-lettered",
      "record dead-lettered",
      "batch processed",
    ]);
    expect(lines[0]).toMatchObject({ table: "public.orders", error: { type: "coercion_failed" } });
    expect(lines[2]).toMatchObject({ received: 3, indexed: 1, deadLettered: 2 });
    expect(text()).not.toContain("SECRET-ROW-VALUE");
    // The dead letters (encrypted, for replay) do carry the record, base64-encoded.
    const body = sqsMock.commandCalls(SendMessageBatchCommand)[0]?.args[0].input.Entries?.[0]?.MessageBody;
    const data = (JSON.parse(body ?? "{}") as { data: string }).data;
    expect(Buffer.from(data, "base64").toString("utf8")).toContain("SECRET-ROW-VALUE");
  });
});
