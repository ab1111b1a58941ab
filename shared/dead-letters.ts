/**
 * The two messages the dead-letter queue holds, each defined once: a zod schema, the type inferred from
 * it, and the builder beside it. The indexer builds permanent failures, the local poller builds what
 * Lambda sends to an on-failure destination, and the redrive reads both with these schemas.
 *
 * - `cdc-indexer.permanent-failure`: a record that can never be indexed, with everything needed to replay
 *   and diagnose it; over the SQS size limit it carries a pointer (shard, sequence number) instead of
 *   the data.
 * - Lambda's on-failure record for a Kinesis event source mapping (`KinesisBatchInfo`): a discarded
 *   batch (retries exhausted or records too old) as a range of sequence numbers in the stream.
 */
import { randomUUID } from "node:crypto";
import type { KinesisStreamRecord } from "aws-lambda";
import { z } from "zod";

export const DEAD_LETTER_KIND = "cdc-indexer.permanent-failure";

const sequenceNumber = z.string().regex(/^\d+$/);

export const failureSchema = z.object({
  stage: z.enum(["parse", "plan", "index"]),
  status: z.number().optional(),
  type: z.string(),
  reason: z.string(),
  index: z.string().optional(),
  documentId: z.string().optional(),
});
export type Failure = z.infer<typeof failureSchema>;

export const permanentFailureSchema = z.object({
  kind: z.literal(DEAD_LETTER_KIND),
  schemaVersion: z.literal(1),
  failedAt: z.string(),
  functionName: z.string(),
  functionVersion: z.string(),
  awsRequestId: z.string(),
  error: failureSchema,
  source: z.object({
    eventSourceARN: z.string(),
    shardId: z.string().min(1),
    partitionKey: z.string().min(1),
    sequenceNumber,
    approximateArrivalTimestamp: z.number(),
    table: z.string().optional(),
    operation: z.string().optional(),
  }),
  /** Base64 of the original Kinesis record data; absent when the message would be too large. */
  data: z.base64().optional(),
  dataOmitted: z.literal("too_large").optional(),
});
export type PermanentFailureMessage = z.infer<typeof permanentFailureSchema>;

export type FailureContext = {
  functionName: string;
  functionVersion: string;
  awsRequestId: string;
  now: Date;
};

/** Kinesis eventID is `<shardId>:<sequenceNumber>`. */
export const shardIdOf = (record: KinesisStreamRecord): string => record.eventID.split(":")[0] ?? "";

/** The permanent-failure message for a record, as JSON no longer than maxBytes (data left out if need be). */
export function buildDeadLetter(
  record: KinesisStreamRecord,
  failure: Failure,
  ctx: FailureContext,
  meta: { table?: string; operation?: string },
  maxBytes: number,
): string {
  const message: PermanentFailureMessage = {
    kind: DEAD_LETTER_KIND,
    schemaVersion: 1,
    failedAt: ctx.now.toISOString(),
    functionName: ctx.functionName,
    functionVersion: ctx.functionVersion,
    awsRequestId: ctx.awsRequestId,
    error: failure,
    source: {
      eventSourceARN: record.eventSourceARN,
      shardId: shardIdOf(record),
      partitionKey: record.kinesis.partitionKey,
      sequenceNumber: record.kinesis.sequenceNumber,
      approximateArrivalTimestamp: record.kinesis.approximateArrivalTimestamp,
      ...meta,
    },
    data: record.kinesis.data,
  };
  const body = JSON.stringify(message);
  if (Buffer.byteLength(body) <= maxBytes) return body;
  const { data: _omitted, ...pointer } = message;
  const reason = failure.reason.length > 2000 ? `${failure.reason.slice(0, 2000)}…` : failure.reason;
  return JSON.stringify({ ...pointer, error: { ...failure, reason }, dataOmitted: "too_large" });
}

export const DISCARD_CONDITIONS = ["RetryAttemptsExhausted", "RecordAgeExceeded"] as const;
export type DiscardCondition = (typeof DISCARD_CONDITIONS)[number];

export const onFailureSchema = z.object({
  requestContext: z.object({
    requestId: z.string(),
    functionArn: z.string(),
    condition: z.string(),
    approximateInvokeCount: z.number(),
  }),
  responseContext: z.object({
    statusCode: z.number(),
    executedVersion: z.string(),
    functionError: z.string().optional(),
  }),
  version: z.string(),
  timestamp: z.string(),
  KinesisBatchInfo: z.object({
    shardId: z.string().min(1),
    startSequenceNumber: sequenceNumber,
    endSequenceNumber: sequenceNumber,
    approximateArrivalOfFirstRecord: z.string(),
    approximateArrivalOfLastRecord: z.string(),
    batchSize: z.number(),
    streamArn: z.string(),
  }),
});
export type OnFailureMessage = z.infer<typeof onFailureSchema>;

const arrival = (r: KinesisStreamRecord) =>
  new Date(r.kinesis.approximateArrivalTimestamp * 1000).toISOString();

/** What Lambda sends to the on-failure destination when it discards a batch (metadata only). */
export function buildOnFailureMessage(input: {
  records: KinesisStreamRecord[];
  shardId: string;
  streamArn: string;
  functionArn: string;
  condition: DiscardCondition;
  invokeCount: number;
  functionError: boolean;
  now: Date;
}): OnFailureMessage {
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
