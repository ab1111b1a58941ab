/**
 * The message Lambda sends to a Kinesis event source mapping's on-failure destination when it discards
 * a batch (retries exhausted or records too old): metadata only, with `KinesisBatchInfo` pointing at the
 * records, which stay readable in the stream until its retention ends.
 */
import { randomUUID } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";

export type DiscardCondition = "RetryAttemptsExhausted" | "RecordAgeExceeded";

export type OnFailureRecord = {
  requestContext: {
    requestId: string;
    functionArn: string;
    condition: DiscardCondition;
    approximateInvokeCount: number;
  };
  responseContext: { statusCode: number; executedVersion: string; functionError?: string };
  version: "1.0";
  timestamp: string;
  KinesisBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord: string;
    approximateArrivalOfLastRecord: string;
    batchSize: number;
    streamArn: string;
  };
};

const arrival = (r: KinesisStreamRecord) =>
  new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();

export function onFailureRecord(input: {
  records: KinesisStreamRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  condition: DiscardCondition;
  invokeCount: number;
  functionError: boolean;
  now: Date;
}): OnFailureRecord {
  const first = input.records[0] as KinesisStreamRecord;
  const last = input.records[input.records.length - 1] as KinesisStreamRecord;
  return {
    requestContext: {
      requestId: randomUUID(),
      functionArn: input.functionArn,
      condition: input.condition,
      approximateInvokeCount: input.invokeCount,
    },
    responseContext: {
      statusCode: 200,
      executedVersion: "$LATEST",
      ...(input.functionError && { functionError: "Unhandled" }),
    },
    version: "1.0",
    timestamp: input.now.toISOString(),
    KinesisBatchInfo: {
      shardId: input.shardId,
      startSequenceNumber: first.kinesis.sequenceNumber,
      endSequenceNumber: last.kinesis.sequenceNumber,
      approximateArrivalOfFirstRecord: arrival(first),
      approximateArrivalOfLastRecord: arrival(last),
      batchSize: input.records.length,
      streamArn: input.streamArn,
    },
  };
}
