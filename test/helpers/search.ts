/**
 * OpenSearch targets for tests: the in-process emulator (fast, for unit and property tests), or over HTTP
 * the emulator server by default and a real cluster when OPENSEARCH_URL is set.
 */
import type { Client } from "@opensearch-project/opensearch";
import type { KinesisStreamRecord } from "aws-lambda";
import type pg from "pg";
import { createIndexerClient, type IndexerSearch } from "../../functions/indexer/opensearch-client";
import { type BatchStats, processBatch } from "../../functions/indexer/process-batch";
import { type DocumentRef, readVersions } from "../../functions/indexer/superseded";
import { describeTable } from "../../operator/lib/dms/describe-table";
import { loadRecord } from "../../operator/lib/dms/records";
import { tablePages } from "../../operator/lib/dms/table-pages";
import { localSearchClient } from "../../operator/lib/search-client";
import { parseJsonKeepingDigits } from "../../shared/exact-json";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { kinesisRecord } from "../../tools/lib/kinesis-event";
import { toJson } from "../../tools/opensearch-emulator/http";
import {
  OpenSearchEmulator,
  type RunningEmulator,
  startEmulator,
} from "../../tools/opensearch-emulator/server";
import { recordingLogger, TEST_BATCH_SETTINGS, testContext } from "./lambda";

/**
 * The indexer's client calling the emulator in-process, throwing the way the real client does on HTTP
 * errors; its answers pass through JSON as over HTTP (versions as exact numbers).
 */
export function inProcessBulkClient(emulator: OpenSearchEmulator): IndexerSearch & { calls: number } {
  const client = {
    calls: 0,
    async versions(docs: DocumentRef[]) {
      const body = JSON.stringify({ docs: docs.map((d) => ({ _index: d.index, _id: d.id })) });
      const [status, payload] = emulator.handle("POST", new URL("http://emulator/_mget?_source=false"), body);
      if (status >= 300)
        throw Object.assign(new Error(`Response Error ${status}`), { name: "ResponseError" });
      return readVersions(parseJsonKeepingDigits(toJson(payload)));
    },
    async bulk({ body }: { body: Buffer }) {
      client.calls++;
      const [status, payload] = emulator.handle("POST", new URL("http://emulator/_bulk"), body.toString());
      if (status >= 300)
        throw Object.assign(new Error(`Response Error ${status}`), {
          name: "ResponseError",
          meta: { statusCode: status, body: payload },
        });
      return { body: payload as { items: [] } };
    },
  };
  return client;
}

export function newEmulator(): OpenSearchEmulator {
  return new OpenSearchEmulator({ gcDeletesMs: 3_600_000 });
}

export type SearchTarget = {
  url: string;
  client: Client;
  /** The in-process emulator behind url, when the target is the emulator (fault injection needs it). */
  emulator: OpenSearchEmulator | undefined;
  close(): Promise<void>;
};

export async function openSearchTarget(): Promise<SearchTarget> {
  const external = process.env.OPENSEARCH_URL;
  const running: RunningEmulator | undefined = external ? undefined : await startEmulator();
  const url = external ?? (running as RunningEmulator).url;
  const client = localSearchClient(url, { maxRetries: 0 });
  return { url, client, emulator: running?.emulator, close: async () => running?.stop() };
}

/** A unique index prefix per test so a shared real cluster is never cleaned up wholesale. */
export const uniquePrefix = () => `t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}-`;

/**
 * Runs records through the real indexer into the target, a URL or the indexer's client (no DLQ: every
 * record must apply or be settled); returns the batch's figures.
 */
export async function indexThroughIndexer(
  target: string | IndexerSearch,
  pipeline: PipelineConfig,
  records: KinesisStreamRecord[],
): Promise<BatchStats> {
  const { response, stats } = await processBatch(records, testContext(), {
    search:
      typeof target === "string"
        ? createIndexerClient({ endpoint: target, auth: "none", region: "us-east-1" })
        : target,
    sqs: undefined as never,
    pipeline,
    logger: recordingLogger(),
    settings: { ...TEST_BATCH_SETTINGS, dlqUrl: "unused" },
  });
  if (response.batchItemFailures.length > 0)
    throw new Error(`records not applied: ${JSON.stringify(response.batchItemFailures)}`);
  return stats;
}

/** Indexes a table's current rows through the real indexer as a DMS full load delivers them. */
export async function indexTableAsLoaded(
  db: pg.Pool,
  url: string,
  pipeline: PipelineConfig,
  table: string,
): Promise<void> {
  await indexThroughIndexer(url, pipeline, await tableAsLoaded(db, table));
}

/**
 * A table's current rows as the records of a DMS full load, read the way the local full load and verify
 * read them (operator/lib/dms/table-pages.ts).
 */
export async function tableAsLoaded(db: pg.Pool, table: string): Promise<KinesisStreamRecord[]> {
  const records: KinesisStreamRecord[] = [];
  const client = await db.connect();
  try {
    await client.query("BEGIN");
    const relation = await describeTable(client, table);
    for await (const page of tablePages(client, relation, 1_000))
      for (const tuple of page) records.push(kinesisRecord(loadRecord(relation, tuple, 0n), records.length));
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  return records;
}
