/**
 * Redrive throughput on kinesalite and fauxqs: dead letters (the indexer's permanent-failure messages,
 * with their records) put back on the stream by `npm run redrive`'s code, against the loop a user would
 * otherwise write (receive, PutRecord, DeleteMessage, one message at a time, the same long-poll end).
 * Rounds alternate; the queue is refilled before each. Records/s, as ms per record (kinesalite and fauxqs
 * run in this process, so their work counts on both sides), and API calls per record.
 */
import { PutRecordCommand } from "@aws-sdk/client-kinesis";
import { DeleteMessageCommand, ReceiveMessageCommand, SendMessageBatchCommand } from "@aws-sdk/client-sqs";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { redrive } from "../../operator/redrive/redrive";
import { buildDeadLetter } from "../../shared/dead-letters";
import { ensureStream, startKinesalite } from "../local-stack/kinesis";
import { startLocalSqs } from "../local-stack/sqs";
import { percentile, type Result } from "./measure";
import { workload } from "./workload";

const REGION = "us-east-1";
const STREAM = "bench-redrive";

export async function redriveBenchmarks(rounds = 3, messages = 5_000): Promise<Result[]> {
  const kinesalite = await startKinesalite();
  const sqs = await startLocalSqs(REGION);
  try {
    const kinesis = createKinesisClient(REGION, kinesalite.url);
    const streamArn = await ensureStream(kinesis, STREAM, 1);
    const queueUrl = sqs.createQueue("bench-redrive-dlq");
    const context = { functionName: "bench", functionVersion: "1", awsRequestId: "bench", now: new Date() };
    const fill = async (offset: number) => {
      const letters = workload(messages, offset).map((record) =>
        buildDeadLetter(
          { ...record, eventSourceARN: streamArn },
          { stage: "index", status: 400, type: "mapper_parsing_exception", reason: "bench" },
          context,
          { table: "public.orders", operation: "update" },
          262_144,
        ),
      );
      for (let i = 0; i < letters.length; i += 10)
        await sqs.client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: letters.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
    };
    // Every AWS API call either side makes, counted: on AWS each is a round trip of several ms.
    let calls = 0;
    const counted = <C extends { send: (...args: never[]) => unknown }>(client: C): C =>
      ({
        send: (...args: Parameters<C["send"]>) => {
          calls++;
          return client.send(...args);
        },
      }) as unknown as C;
    const sqsClient = counted(sqs.client);
    const kinesisClient = counted(kinesis);
    const callsPerRecord = { subject: [] as number[], baseline: [] as number[] };
    const timed = async (side: "subject" | "baseline", run: () => Promise<number>) => {
      calls = 0;
      const started = performance.now();
      const records = await run();
      if (records !== messages) throw new Error(`redrove ${records} of ${messages} records`);
      callsPerRecord[side].push(calls / records);
      return (performance.now() - started) / records;
    };
    const project = () =>
      redrive({ sqs: sqsClient, kinesis: kinesisClient, queueUrl, streamName: STREAM, watchMs: 0 }).then(
        (r) => r.records,
      );
    const naive = async () => {
      let records = 0;
      for (;;) {
        const r = await sqsClient.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
        );
        if (!r.Messages?.length) return records;
        for (const m of r.Messages) {
          const letter = JSON.parse(m.Body ?? "{}") as { data: string; source: { partitionKey: string } };
          await kinesisClient.send(
            new PutRecordCommand({
              StreamName: STREAM,
              PartitionKey: letter.source.partitionKey,
              Data: Buffer.from(letter.data, "base64"),
            }),
          );
          await sqsClient.send(
            new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: m.ReceiptHandle }),
          );
          records++;
        }
      }
    };
    const subject: number[] = [];
    const baseline: number[] = [];
    for (let round = 0; round < rounds; round++) {
      await fill(round * 2 * messages);
      subject.push(await timed("subject", project));
      await fill((round * 2 + 1) * messages);
      baseline.push(await timed("baseline", naive));
    }
    const s = percentile(subject, 50);
    const b = percentile(baseline, 50);
    const perSecond = (ms: number) => Math.round(1000 / ms).toLocaleString("en-US");
    return [
      {
        name: "redrive",
        measure: `${messages} dead letters put back on the stream: npm run redrive ${perSecond(s)} records/s / a receive-put-delete loop ${perSecond(b)} records/s (ms per record)`,
        subject: s,
        baseline: b,
        unit: "ms",
        target: 1,
      },
      {
        name: "redrive API calls",
        measure:
          "SQS and Kinesis calls per record: npm run redrive / the receive-put-delete loop (each a round trip on AWS)",
        subject: percentile(callsPerRecord.subject, 50),
        baseline: percentile(callsPerRecord.baseline, 50),
        unit: "calls",
        target: 0.5,
      },
    ];
  } finally {
    await sqs.stop();
    await kinesalite.stop();
  }
}
