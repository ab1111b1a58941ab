/**
 * The indexer against an HTTP OpenSearch (the emulator, or a real cluster when OPENSEARCH_URL is set) and
 * SQS from fauxqs, with faults injected between the indexer and the cluster: 429/503 bursts, transport
 * errors, item rejections; and a real mapping conflict.
 */
import { createServer } from "node:net";
import { SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexerClient, type IndexerSearch } from "../../functions/indexer/opensearch-client";
import { type BatchDeps, processBatch } from "../../functions/indexer/process-batch";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { changeRecord, rawRecord } from "../helpers/dms";
import { recordingLogger, testContext } from "../helpers/lambda";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";
import { localSqs } from "../helpers/sqs";

type Faults = { failRequests: number; status: number; transportErrors: number; rejectItems: number };

/** Wraps the real client: fails whole requests or rewrites items as 429 rejections, then forwards. */
function faulty(inner: IndexerSearch, faults: Faults): IndexerSearch {
  return {
    versions: (docs, options) => inner.versions(docs, options),
    async bulk(params, options) {
      if (faults.transportErrors > 0) {
        faults.transportErrors--;
        throw Object.assign(new Error("socket hang up"), { name: "ConnectionError" });
      }
      if (faults.failRequests > 0) {
        faults.failRequests--;
        throw Object.assign(new Error("Response Error"), {
          name: "ResponseError",
          meta: { statusCode: faults.status, body: { error: { type: "injected" } } },
        });
      }
      if (faults.rejectItems > 0) {
        // Reject the first items without sending them, forward the rest: as a busy cluster does.
        const lines = params.body.toString().split("\n").filter(Boolean);
        const entries: string[][] = [];
        for (let i = 0; i < lines.length; i++) {
          const line = lines[i] as string;
          entries.push(line.startsWith('{"delete"') ? [line] : [line, lines[++i] as string]);
        }
        const rejected = Math.min(faults.rejectItems, entries.length);
        faults.rejectItems -= rejected;
        const rest = entries.slice(rejected);
        const forwarded = rest.length
          ? ((await inner.bulk({ body: Buffer.from(`${rest.flat().join("\n")}\n`) }, options)).body.items ??
            [])
          : [];
        const rejections = entries.slice(0, rejected).map((e) => ({
          [e[0]?.startsWith('{"delete"') ? "delete" : "index"]: {
            status: 429,
            error: { type: "es_rejected_execution_exception", reason: "injected" },
          },
        }));
        return { body: { errors: true, items: [...rejections, ...forwarded] } };
      }
      return inner.bulk(params, options);
    },
  };
}

let search: SearchTarget;
let sqs: Awaited<ReturnType<typeof localSqs>>;
let prefix: string;
let dlqUrl: string;

beforeAll(async () => {
  search = await openSearchTarget();
  sqs = await localSqs();
  dlqUrl = sqs.createQueue("faults-dlq");
  prefix = uniquePrefix();
});
afterAll(async () => {
  await search.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  await search.close();
  await sqs.stop();
});

function deps(faults: Faults): BatchDeps {
  const pipeline = parsePipelineConfig(
    "tables: {public.orders: {primaryKey: [id], index: orders, columns: {amount: number}}}",
    { indexPrefix: prefix },
  );
  const real = createIndexerClient({
    endpoint: search.url,
    auth: "none",
    region: "us-east-1",
  });
  return {
    search: faulty(real, faults),
    sqs: sqs.client,
    pipeline,
    logger: recordingLogger(),
    settings: {
      dlqUrl,
      dlqMaxMessageBytes: 262_144,
      retry: { maxBytes: 5_000_000, maxActions: 1000, baseDelayMs: 5, maxDelayMs: 50, safetyMarginMs: 200 },
    },
  };
}
const T0 = Date.UTC(2026, 10, 21, 14);
const source = async (id: string) => {
  const r = await search.client.get({ index: `${prefix}orders`, id }, { ignore: [404] });
  return (r.body as { _source?: Record<string, unknown> })._source;
};

describe("indexer under injected faults", () => {
  it("rides out 503 and 429 bursts, transport errors and item rejections, then converges", async () => {
    const records = Array.from({ length: 40 }, (_, i) =>
      changeRecord({ op: "insert", row: { id: i + 1, amount: String(i) }, commitMs: T0 + i }, i),
    );
    const { response, stats } = await processBatch(
      records,
      testContext(30_000),
      deps({ failRequests: 3, status: 503, transportErrors: 2, rejectItems: 15 }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(stats.indexed).toBe(40);
    expect(stats.retried).toBeGreaterThanOrEqual(40);
    expect(await source("40")).toEqual({ id: 40, amount: 39 });
  });

  it("hands back the lowest sequence number when the cluster stays unavailable past the time budget", async () => {
    const records = [
      changeRecord({ op: "update", row: { id: 1, amount: "100" }, commitMs: T0 + 1000 }, 100),
      changeRecord({ op: "update", row: { id: 2, amount: "200" }, commitMs: T0 + 1001 }, 101),
    ];
    const { response } = await processBatch(
      records,
      testContext(1_000),
      deps({ failRequests: 1_000, status: 429, transportErrors: 0, rejectItems: 0 }),
    );
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.kinesis.sequenceNumber }]);
    expect(await source("1")).toEqual({ id: 1, amount: 0 });
    // Lambda retries from there; the cluster is back; everything converges.
    const retry = await processBatch(
      records,
      testContext(30_000),
      deps({ failRequests: 0, status: 0, transportErrors: 0, rejectItems: 0 }),
    );
    expect(retry.response.batchItemFailures).toEqual([]);
    expect(await source("1")).toEqual({ id: 1, amount: 100 });
  });

  it("asks for only the fields it classifies by, and every item keeps its place", async () => {
    const client = createIndexerClient({ endpoint: search.url, auth: "none", region: "us-east-1" });
    const index = `${prefix}filtered`;
    const body = [
      `{"index":{"_index":"${index}","_id":"1"}}`,
      '{"n":1}',
      `{"delete":{"_index":"${index}","_id":"missing"}}`,
      `{"index":{"_index":"${index}","_id":"2"}}`,
      '{"n":{"object":"where a number was mapped"}}',
      "",
    ].join("\n");
    const { body: reply } = await client.bulk({ body: Buffer.from(body) }, { requestTimeout: 10_000 });
    expect(reply.errors).toBe(true);
    expect(reply.items?.map((item) => Object.keys(item))).toEqual([["index"], ["delete"], ["index"]]);
    const [created, missing, refused] = (reply.items ?? []).map((item) => Object.values(item)[0]);
    expect(created).toEqual({ status: 201 });
    expect(missing).toEqual({ status: 404 });
    expect(Object.keys(refused ?? {}).sort()).toEqual(["error", "status"]);
    expect(refused?.status).toBe(400);
    expect(refused?.error?.type).toBe("mapper_parsing_exception");
  });

  it("leaves a record for retry when the DLQ has not answered by the end of the function's time (a connection gone silent), and still answers", {
    timeout: 20_000,
  }, async () => {
    const silent = createServer((socket) => socket.resume()); // reads the request, never answers
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    const stalled = new SQSClient({
      region: "us-east-1",
      endpoint: `http://127.0.0.1:${(silent.address() as { port: number }).port}`,
      credentials: { accessKeyId: "local", secretAccessKey: "local" },
    });
    try {
      const poison = rawRecord("not a DMS record", 300);
      const { response, stats } = await processBatch([poison], testContext(3_000), {
        ...deps({ failRequests: 0, status: 0, transportErrors: 0, rejectItems: 0 }),
        sqs: stalled,
      });
      expect(response.batchItemFailures).toEqual([{ itemIdentifier: poison.kinesis.sequenceNumber }]);
      expect(stats.deadLettered).toBe(0);
    } finally {
      stalled.destroy();
      silent.close();
    }
  });

  it("dead-letters a mapping conflict with its payload and error, and keeps the rest of the batch", async () => {
    const good = changeRecord(
      { op: "insert", row: { id: 500, amount: "5", tag: "ok" }, commitMs: T0 + 2000 },
      200,
    );
    const poison = changeRecord(
      {
        op: "insert",
        row: { id: 501, amount: "5", tag: { nested: "object where text was mapped" } },
        commitMs: T0 + 2001,
      },
      201,
    );
    const { response, stats } = await processBatch(
      [good, poison],
      testContext(30_000),
      deps({ failRequests: 0, status: 0, transportErrors: 0, rejectItems: 0 }),
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(stats).toMatchObject({ indexed: 1, deadLettered: 1 });
    expect(await source("500")).toMatchObject({ tag: "ok" });
    expect(await source("501")).toBeUndefined();
    const [message] = (await sqs.drain(dlqUrl)).map((b) => JSON.parse(b));
    expect(message).toMatchObject({
      error: { stage: "index", status: 400, type: "mapper_parsing_exception", documentId: "501" },
      data: poison.kinesis.data,
      source: { sequenceNumber: poison.kinesis.sequenceNumber },
    });
  });
});
