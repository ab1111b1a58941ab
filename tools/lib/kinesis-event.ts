/** Builds Lambda Kinesis events (the shape the event source mapping delivers) from record payloads. */
import type { KinesisStreamEvent, KinesisStreamRecord } from "aws-lambda";

export type RecordInput = { partitionKey: string; data: string | Buffer };

export const SAMPLE_STREAM_ARN = "arn:aws:kinesis:eu-west-1:123456789012:stream/cdc-stream-dev";
const SEQUENCE_BASE = 49_650_000_000_000_000_000_000_000_000_000_000_000_000_000_000n;

export function sequenceNumber(n: number): string {
  return (SEQUENCE_BASE + BigInt(n) * 1_000_000n).toString();
}

export function kinesisRecord(
  input: RecordInput,
  index: number,
  options: { streamArn?: string; shardId?: string; arrival?: number; sequence?: string } = {},
): KinesisStreamRecord {
  const seq = options.sequence ?? sequenceNumber(index);
  const shardId = options.shardId ?? "shardId-000000000000";
  return {
    kinesis: {
      kinesisSchemaVersion: "1.0",
      partitionKey: input.partitionKey,
      sequenceNumber: seq,
      data: Buffer.from(input.data).toString("base64"),
      approximateArrivalTimestamp: options.arrival ?? 1_795_000_000 + index / 1000,
    },
    eventSource: "aws:kinesis",
    eventVersion: "1.0",
    eventID: `${shardId}:${seq}`,
    eventName: "aws:kinesis:record",
    invokeIdentityArn: "arn:aws:iam::123456789012:role/cdc-indexer-role",
    awsRegion: "eu-west-1",
    eventSourceARN: options.streamArn ?? SAMPLE_STREAM_ARN,
  };
}

export function kinesisEvent(inputs: RecordInput[], firstIndex = 0): KinesisStreamEvent {
  return { Records: inputs.map((input, i) => kinesisRecord(input, firstIndex + i)) };
}

/** DMS json-unformatted: one line of JSON per record, newline-terminated. */
export const dmsLine = (message: unknown): string => `${JSON.stringify(message)}\n`;
