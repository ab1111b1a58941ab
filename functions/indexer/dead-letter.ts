/**
 * Dead-letter messages for records that can never be indexed: everything needed to replay and diagnose
 * them. A message over the SQS size limit carries a pointer (stream ARN, shard id, sequence number)
 * instead of the data. Sent with SendMessageBatch; entries SQS did not accept are reported back.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import type { KinesisStreamRecord } from "aws-lambda";
import { groupByCountAndBytes } from "./batching";

export const DEAD_LETTER_KIND = "cdc-indexer.permanent-failure";

export type Failure = {
  stage: "parse" | "plan" | "index";
  status?: number;
  type: string;
  reason: string;
  index?: string;
  documentId?: string;
};

export type DeadLetterMessage = {
  kind: typeof DEAD_LETTER_KIND;
  schemaVersion: 1;
  failedAt: string;
  functionName: string;
  functionVersion: string;
  awsRequestId: string;
  error: Failure;
  source: {
    eventSourceARN: string;
    shardId: string;
    partitionKey: string;
    sequenceNumber: string;
    approximateArrivalTimestamp: number;
    table?: string;
    operation?: string;
  };
  /** Base64 of the original Kinesis record data; absent when the message would be too large. */
  data?: string;
  dataOmitted?: "too_large";
};

export type FailureContext = {
  functionName: string;
  functionVersion: string;
  awsRequestId: string;
  now: Date;
};

/** Kinesis eventID is `<shardId>:<sequenceNumber>`. */
export const shardIdOf = (record: KinesisStreamRecord): string => record.eventID.split(":")[0] ?? "";

export function buildDeadLetter(
  record: KinesisStreamRecord,
  failure: Failure,
  ctx: FailureContext,
  meta: { table?: string; operation?: string },
  maxBytes: number,
): string {
  const message: DeadLetterMessage = {
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

export type DeadLetterEntry = { id: string; body: string };

/** Sends in batches of at most 10 entries and maxBytes in total; returns the ids that were not accepted. */
export async function sendDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  entries: DeadLetterEntry[],
  maxBytes: number,
): Promise<{ failed: Set<string>; errors: string[] }> {
  const failed = new Set<string>();
  const errors: string[] = [];
  const batches = groupByCountAndBytes(entries, 10, maxBytes, (entry) => Buffer.byteLength(entry.body));

  for (const group of batches) {
    try {
      const result = await sqs.send(
        new SendMessageBatchCommand({
          QueueUrl: queueUrl,
          Entries: group.map((e) => ({ Id: e.id, MessageBody: e.body })),
        }),
      );
      for (const f of result.Failed ?? []) {
        if (f.Id) failed.add(f.Id);
        errors.push(`${f.Code ?? "error"}: ${f.Message ?? ""}`);
      }
      const accepted = new Set((result.Successful ?? []).map((s) => s.Id));
      for (const e of group) if (!accepted.has(e.id) && !failed.has(e.id)) failed.add(e.id);
    } catch (error) {
      for (const e of group) failed.add(e.id);
      errors.push((error as Error).message);
    }
  }
  return { failed, errors };
}
