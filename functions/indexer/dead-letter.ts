/**
 * Sends dead letters (shared/dead-letters.ts builds them) with SendMessageBatch; entries SQS did not
 * accept are reported back, so their records are retried rather than acknowledged.
 */
import { SendMessageBatchCommand, type SQSClient } from "@aws-sdk/client-sqs";
import { groupByCountAndBytes } from "./batching";

export type DeadLetterEntry = { id: string; body: string };

/**
 * Sends in batches of at most 10 entries and maxBytes in total; returns the ids that were not accepted.
 * `deadline` ends a send still under way (a connection gone silent): its entries count as not accepted.
 */
export async function sendDeadLetters(
  sqs: SQSClient,
  queueUrl: string,
  entries: DeadLetterEntry[],
  maxBytes: number,
  deadline?: AbortSignal,
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
        deadline && { abortSignal: deadline },
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
