/**
 * The DLQ redrive against real local parts (kinesalite, fauxqs): dead letters of both shapes, made by
 * the same code that makes them in production (the indexer's buildDeadLetter, the event source
 * mapping's on-failure record), go back on the stream byte for byte and leave the queue; messages that
 * cannot be replayed stay, and a dry run changes nothing.
 */

import { ListShardsCommand } from "@aws-sdk/client-kinesis";
import { DeleteMessageBatchCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { KinesisStreamRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { putAll } from "../../operator/lib/kinesis-put";
import { redrive } from "../../operator/redrive/redrive";
import { buildOnFailureMessage } from "../../shared/dead-letters";
import { ensureStream, type RunningKinesis, startKinesalite } from "../../tools/local-stack/kinesis";
import type { RunningSqs } from "../../tools/local-stack/sqs";
import { indexerDeadLetter } from "../helpers/dms";
import { localSqs } from "../helpers/sqs";
import { lambdaRecords } from "../helpers/stream-records";

const STREAM = "redrive-test";
let kinesisServer: RunningKinesis;
let sqs: RunningSqs;
let kinesis: ReturnType<typeof createKinesisClient>;
let streamArn: string;
let shardId: string;

beforeAll(async () => {
  kinesisServer = await startKinesalite();
  kinesis = createKinesisClient("us-east-1", kinesisServer.url);
  streamArn = await ensureStream(kinesis, STREAM, 1);
  shardId = (await kinesis.send(new ListShardsCommand({ StreamName: STREAM }))).Shards?.[0]
    ?.ShardId as string;
  sqs = await localSqs("us-east-1");
});
afterAll(async () => {
  kinesis?.destroy();
  await sqs?.stop();
  await kinesisServer?.stop();
});

const readStream = () => lambdaRecords(kinesis, STREAM, streamArn);

describe("redrive", () => {
  it("puts every replayable dead letter's records back and keeps the rest", async () => {
    const records = Array.from({ length: 5 }, (_, i) => ({
      partitionKey: i < 2 ? "public.orders" : "public.customers",
      data: `{"data":{"id":${i}},"metadata":{"operation":"insert"}}\n`,
    }));
    await putAll(kinesis, STREAM, records);
    const original = await readStream();
    expect(original).toHaveLength(5);
    const [r0, r1, , , r4] = original as KinesisStreamRecord[];

    const queueUrl = sqs.createQueue("redrive-dlq");
    const send = (body: string) =>
      sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await send(indexerDeadLetter(r0 as KinesisStreamRecord, 262_144, { table: "public.orders" })); // with data
    await send(indexerDeadLetter(r1 as KinesisStreamRecord, 300)); // too large: pointer only
    await send(
      JSON.stringify(
        buildOnFailureMessage({
          records: original.slice(2),
          shardId,
          streamArn,
          functionArn: "arn:aws:lambda:us-east-1:123456789012:function:cdc-indexer-local",
          condition: "RetryAttemptsExhausted",
          invokeCount: 3,
          functionError: true,
          now: new Date(),
        }),
      ),
    );
    await send("not a dead letter");
    await send('{"some":"other json"}');
    const gone = JSON.parse(indexerDeadLetter(r4 as KinesisStreamRecord, 300));
    gone.source.shardId = "shardId-000000000999";
    await send(JSON.stringify(gone));
    expect(JSON.parse(indexerDeadLetter(r1 as KinesisStreamRecord, 300)).data).toBeUndefined();

    const dry = await redrive({ sqs: sqs.client, kinesis, queueUrl, streamName: STREAM, dryRun: true });
    expect(dry).toMatchObject({ examined: 6, replayed: 0, records: 5 });
    expect(dry.kept).toHaveLength(3);
    expect(await readStream()).toHaveLength(5);
    expect(await sqs.depth(queueUrl)).toBe(6);

    const lines: string[] = [];
    const report = await redrive({
      sqs: sqs.client,
      kinesis,
      queueUrl,
      streamName: STREAM,
      log: (l) => lines.push(l),
    });
    expect(report).toMatchObject({
      examined: 6,
      replayed: 3,
      records: 5,
      causes: {
        "indexer: mapper_parsing_exception": 3,
        "event source mapping: RetryAttemptsExhausted": 1,
        unreadable: 2,
      },
    });
    expect(report.kept.map((k) => k.reason).sort()).toEqual([
      expect.stringContaining("cannot read shardId-000000000999"),
      "neither an indexer dead letter nor a KinesisBatchInfo record",
      "not JSON",
    ]);

    const after = await readStream();
    expect(after).toHaveLength(10);
    const bytes = (r: KinesisStreamRecord) => `${r.kinesis.partitionKey}|${r.kinesis.data}`;
    expect(after.slice(5).map(bytes).sort()).toEqual(original.map(bytes).sort());
    // The two that could not be replayed are visible again for inspection.
    expect((await sqs.drain(queueUrl)).sort()).toEqual(
      [JSON.stringify(gone), "not a dead letter", '{"some":"other json"}'].sort(),
    );
  });

  it("keeps every message when the stream refuses the records", async () => {
    await putAll(kinesis, STREAM, [{ partitionKey: "public.orders", data: '{"data":{"id":98}}\n' }]);
    const record = (await readStream()).at(-1);
    const queueUrl = sqs.createQueue("redrive-dlq-2");
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: indexerDeadLetter(record as KinesisStreamRecord, 262_144),
      }),
    );
    const report = await redrive({ sqs: sqs.client, kinesis, queueUrl, streamName: "no-such-stream" });
    expect(report).toMatchObject({ examined: 1, replayed: 0 });
    expect(report.kept[0]?.reason).toMatch(/put to no-such-stream failed/);
    expect(await sqs.drain(queueUrl)).toHaveLength(1);
  });

  it("puts a batch of dead letters back together, and keeps a message the queue would not delete", async () => {
    await putAll(
      kinesis,
      STREAM,
      Array.from({ length: 12 }, (_, i) => ({
        partitionKey: `public.orders.${i}`,
        data: `{"data":{"id":${i}}}\n`,
      })),
    );
    const records = (await readStream()).slice(-12);
    const queueUrl = sqs.createQueue("redrive-dlq-4");
    for (const record of records)
      await sqs.client.send(
        new SendMessageCommand({
          QueueUrl: queueUrl,
          MessageBody: indexerDeadLetter(record, 262_144),
        }),
      );
    const before = (await readStream()).length;
    // SQS answers one entry of the first delete call as failed (as it may, e.g. an expired receipt handle).
    let refusedId: string | undefined;
    const sqsClient = {
      send: async (command: Parameters<typeof sqs.client.send>[0]) => {
        if (command instanceof DeleteMessageBatchCommand && refusedId === undefined) {
          const [first, ...rest] = command.input.Entries ?? [];
          const result = await sqs.client.send(
            new DeleteMessageBatchCommand({ QueueUrl: queueUrl, Entries: rest }),
          );
          refusedId = first?.Id;
          return {
            ...result,
            Failed: [{ Id: first?.Id, Code: "ReceiptHandleIsInvalid", SenderFault: true }],
          };
        }
        return sqs.client.send(command as never);
      },
    };
    const report = await redrive({ sqs: sqsClient as never, kinesis, queueUrl, streamName: STREAM });
    expect(report).toMatchObject({ examined: 12, replayed: 11, records: 11 });
    expect(report.kept).toHaveLength(1);
    expect(report.kept[0]?.reason).toMatch(
      /replayed, but the queue did not delete it \(ReceiptHandleIsInvalid/,
    );
    // Every record is back on the stream once; the kept message waits, visible, for the next run.
    const replayed = (await readStream()).slice(before);
    expect(replayed.map((r) => r.kinesis.data).sort()).toEqual(records.map((r) => r.kinesis.data).sort());
    expect(await sqs.drain(queueUrl)).toHaveLength(1);
  });

  it("leaves for the next run what fails again during this one (no loop)", async () => {
    await putAll(kinesis, STREAM, [{ partitionKey: "public.orders", data: '{"data":{"id":99}}\n' }]);
    const record = (await readStream()).at(-1) as KinesisStreamRecord;
    const queueUrl = sqs.createQueue("redrive-dlq-3");
    await sqs.client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: indexerDeadLetter(record, 262_144),
      }),
    );
    // After each delete, the indexer refuses the replayed record again: a new dead letter about it.
    const refusedAgain: string[] = [];
    const sqsClient = {
      send: async (command: Parameters<typeof sqs.client.send>[0]) => {
        const result = await sqs.client.send(command as never);
        if (command instanceof DeleteMessageBatchCommand) {
          const replayed = (await readStream()).at(-1) as KinesisStreamRecord;
          const body = indexerDeadLetter(replayed, refusedAgain.length % 2 ? 300 : 262_144);
          refusedAgain.push(body);
          await sqs.client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
        }
        return result;
      },
    };
    const report = await redrive({ sqs: sqsClient as never, kinesis, queueUrl, streamName: STREAM });
    expect(report).toMatchObject({ examined: 1, replayed: 1, failedAgain: 1 });
    expect(await sqs.drain(queueUrl)).toEqual(refusedAgain);
  });
});
