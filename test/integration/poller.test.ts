/** The local event-source poller against kinesalite: batching, partial failures, bisect, discard, resume. */

import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ExpiredIteratorException, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisStreamEvent } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import type { OnFailureMessage } from "../../shared/dead-letters";
import { ensureStream, type RunningKinesis, startKinesalite } from "../../tools/local-stack/kinesis";
import { FileCheckpoints, MemoryCheckpoints } from "../../tools/local-stack/poller/checkpoints";
import type { EsmSettings } from "../../tools/local-stack/poller/esm-settings";
import { type Invoke, KinesisPoller } from "../../tools/local-stack/poller/poller";

let kinesis: RunningKinesis;
let client: ReturnType<typeof createKinesisClient>;
beforeAll(async () => {
  kinesis = await startKinesalite();
  client = createKinesisClient("us-east-1", kinesis.url);
});
afterAll(async () => {
  client.destroy();
  await kinesis.stop();
});

const settings: EsmSettings = {
  eventId: "Stream",
  startingPosition: "TRIM_HORIZON",
  batchSize: 10,
  batchingWindowMs: 0,
  parallelizationFactor: 1,
  bisectOnError: true,
  maximumRetryAttempts: 2,
  maximumRecordAgeSeconds: -1,
  reportBatchItemFailures: true,
  hasOnFailureDestination: true,
};

async function streamWith(name: string, payloads: { key: string; data: string }[]) {
  const arn = await ensureStream(client, name, 1);
  await client.send(
    new PutRecordsCommand({
      StreamName: name,
      Records: payloads.map((p) => ({ PartitionKey: p.key, Data: Buffer.from(p.data) })),
    }),
  );
  return arn;
}

const text = (event: KinesisStreamEvent) =>
  event.Records.map((r) => Buffer.from(r.kinesis.data, "base64").toString());

async function run(
  name: string,
  arn: string,
  invoke: Invoke,
  overrides: Partial<EsmSettings> = {},
  checkpoints = new MemoryCheckpoints(),
) {
  const failures: OnFailureMessage[] = [];
  const poller = new KinesisPoller({
    kinesis: client,
    streamName: name,
    streamArn: arn,
    region: "us-east-1",
    settings: { ...settings, ...overrides },
    fn: { functionName: "indexer", timeoutSeconds: 5, memorySize: 128 },
    invoke,
    onFailure: async (r) => {
      failures.push(r);
    },
    checkpoints,
    pollIntervalMs: 10,
    retryDelayMs: 1,
  });
  await poller.start();
  expect(await poller.drain(10_000)).toBe(true);
  await poller.stop();
  return { poller, failures, checkpoints };
}

describe("KinesisPoller", () => {
  it("retries from the lowest reported batch item failure and checkpoints past everything", async () => {
    const arn = await streamWith(
      "partial",
      Array.from({ length: 25 }, (_, i) => ({ key: "k", data: `r${i}` })),
    );
    const seen: string[][] = [];
    let failedOnce = false;
    const { poller, checkpoints } = await run("partial", arn, async (event) => {
      seen.push(text(event));
      const r5 = event.Records.find((r) => Buffer.from(r.kinesis.data, "base64").toString() === "r5");
      if (r5 && !failedOnce) {
        failedOnce = true;
        return { batchItemFailures: [{ itemIdentifier: r5.kinesis.sequenceNumber }] };
      }
      return { batchItemFailures: [] };
    });
    expect(seen[0]).toEqual(["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"]);
    expect(seen[1]).toEqual(["r5", "r6", "r7", "r8", "r9"]);
    expect(seen.flat().filter((r) => r === "r4")).toHaveLength(1);
    expect(poller.stats).toMatchObject({ read: 25, acknowledged: 25, partialFailures: 1, discarded: 0 });
    expect(checkpoints.get(arn, "shardId-000000000000")).toBeDefined();
  });

  it("bisects a crashing batch down to the poison record and discards it with a KinesisBatchInfo message", async () => {
    const arn = await streamWith(
      "poison",
      Array.from({ length: 8 }, (_, i) => ({ key: "k", data: i === 5 ? "poison" : `r${i}` })),
    );
    const delivered: string[] = [];
    const { poller, failures } = await run("poison", arn, async (event) => {
      if (text(event).includes("poison")) throw new Error("boom");
      delivered.push(...text(event));
      return { batchItemFailures: [] };
    });
    expect([...new Set(delivered)].sort()).toEqual(["r0", "r1", "r2", "r3", "r4", "r6", "r7"]);
    expect(poller.stats.discarded).toBe(1);
    expect(failures).toHaveLength(1);
    const [failure] = failures as [OnFailureMessage];
    expect(failure).toMatchObject({
      requestContext: { condition: "RetryAttemptsExhausted", approximateInvokeCount: expect.any(Number) },
      responseContext: { statusCode: 200, executedVersion: "$LATEST", functionError: "Unhandled" },
      version: "1.0",
      KinesisBatchInfo: { shardId: "shardId-000000000000", batchSize: 1, streamArn: arn },
    });
    expect(failure.KinesisBatchInfo.startSequenceNumber).toBe(failure.KinesisBatchInfo.endSequenceNumber);
  });

  it("goes on when its checkpoint file cannot be written (a full disk), and says so once", async () => {
    const dir = mkdtempSync(join(tmpdir(), "poller-checkpoints-"));
    try {
      const file = join(dir, "checkpoints.json");
      mkdirSync(`${file}.tmp`); // the write of the next checkpoint fails (EISDIR), as ENOSPC would
      const arn = await streamWith(
        "unsaved-checkpoints",
        Array.from({ length: 25 }, (_, i) => ({ key: `k${i}`, data: `r${i}` })),
      );
      const logged: string[] = [];
      const poller = new KinesisPoller({
        kinesis: client,
        streamName: "unsaved-checkpoints",
        streamArn: arn,
        region: "us-east-1",
        settings,
        fn: { functionName: "indexer", timeoutSeconds: 5, memorySize: 128 },
        invoke: async () => ({}),
        onFailure: async () => {},
        checkpoints: new FileCheckpoints(file),
        pollIntervalMs: 10,
        log: (line) => logged.push(line),
      });
      await poller.start();
      expect(await poller.drain(10_000)).toBe(true);
      await poller.stop();
      expect(poller.stats.acknowledged).toBe(25);
      expect(logged.filter((l) => l.includes("cannot save the checkpoint"))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("reads on after the last record read when its iterator expired (a laptop sleep, a Ctrl-Z), and says why", async () => {
    const name = "paused";
    const arn = await streamWith(name, [{ key: "k", data: "before" }]);
    // The stream's answer to a GetRecords with an iterator older than 5 minutes, once the first record is read.
    const reader = createKinesisClient("us-east-1", kinesis.url);
    let expireNext = false;
    reader.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === "GetRecordsCommand" && expireNext) {
          expireNext = false;
          throw new ExpiredIteratorException({ message: "Iterator expired.", $metadata: {} });
        }
        return next(args);
      },
      { step: "initialize", name: "expiredIterator" },
    );
    const seen: string[] = [];
    const logged: string[] = [];
    const poller = new KinesisPoller({
      kinesis: reader,
      streamName: name,
      streamArn: arn,
      region: "us-east-1",
      settings,
      fn: { functionName: "indexer", timeoutSeconds: 5, memorySize: 128 },
      invoke: async (event) => {
        seen.push(...text(event));
        return {};
      },
      onFailure: async () => {},
      checkpoints: new MemoryCheckpoints(),
      pollIntervalMs: 10,
      log: (line) => logged.push(line),
    });
    try {
      await poller.start();
      expect(await poller.drain(10_000)).toBe(true);
      expireNext = true;
      await client.send(
        new PutRecordsCommand({
          StreamName: name,
          Records: [{ PartitionKey: "k", Data: Buffer.from("after") }],
        }),
      );
      expect(await poller.drain(10_000)).toBe(true);
    } finally {
      await poller.stop();
      reader.destroy();
    }
    expect(expireNext).toBe(false);
    expect(seen).toEqual(["before", "after"]);
    expect(logged).toEqual([
      "poller: shardId-000000000000: its read position expired (over 5 minutes since the last read: the stack was paused, or the indexer behind); reading on after the last record read",
    ]);
  });

  it("keeps order per partition key across parallel lanes, and a restart resumes after the checkpoint", async () => {
    const payloads = Array.from({ length: 60 }, (_, i) => ({ key: `table-${i % 3}`, data: `${i % 3}:${i}` }));
    const arn = await streamWith("ordered", payloads);
    const perKey = new Map<string, number[]>();
    const invoke: Invoke = async (event) => {
      for (const r of event.Records) {
        const [key, n] = Buffer.from(r.kinesis.data, "base64").toString().split(":");
        perKey.set(key as string, [...(perKey.get(key as string) ?? []), Number(n)]);
      }
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { batchItemFailures: [] };
    };
    const first = await run("ordered", arn, invoke, { parallelizationFactor: 2, batchSize: 7 });
    for (const list of perKey.values()) expect(list).toEqual([...list].sort((a, b) => a - b));
    expect([...perKey.values()].flat()).toHaveLength(60);

    perKey.clear();
    const again = await run("ordered", arn, invoke, { parallelizationFactor: 2 }, first.checkpoints);
    expect(again.poller.stats.read).toBe(0);
  });
});
