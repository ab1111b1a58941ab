/**
 * Writes records to Kinesis with PutRecords: chunks of at most 500 records and 5 MiB, one request at a
 * time so each partition key's records keep their order; records a request refused (throttling) are
 * sent again until every record is accepted or the writer is aborted. Used by the local capture and by
 * the DLQ redrive command.
 */

import { type KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { groupByCountAndBytes } from "../../functions/indexer/batching";
import { backoffDelay } from "../../shared/backoff";

/** One record to put: its partition key and its bytes (text is sent as UTF-8). */
export type KinesisEntry = { partitionKey: string; data: string | Uint8Array };

const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024;
/** A Kinesis record holds at most 1 MiB: its data plus its partition key (a stream's default). */
export const MAX_RECORD_BYTES = 1024 * 1024;

const sizeOf = (entry: KinesisEntry) => Buffer.byteLength(entry.data) + Buffer.byteLength(entry.partitionKey);

/** A record larger than Kinesis takes: no retry can send it. */
export class RecordTooLargeError extends Error {
  override name = "RecordTooLargeError";
  constructor(readonly bytes: number) {
    super(`a record of ${bytes} bytes is larger than a Kinesis record holds (${MAX_RECORD_BYTES} bytes)`);
  }
}

/** Where Kinesis stored a record. */
export type PutPosition = { shardId: string; sequenceNumber: string };

/** Puts every entry; resolves to each entry's position, in entry order. */
/** Records Kinesis refused (throughput) are put again after a short backoff. */
const PUT_RETRY = { baseDelayMs: 25, maxDelayMs: 1_000 };

/**
 * An entry larger than a Kinesis record goes to `tooLarge` (which may throw) and is left out; without a
 * `tooLarge`, it fails the call with RecordTooLargeError before anything is sent. Positions are those of
 * the entries sent, in order.
 */
export async function putAll<E extends KinesisEntry>(
  kinesis: KinesisClient,
  streamName: string,
  entries: E[],
  signal?: AbortSignal,
  tooLarge?: (entry: E, bytes: number) => void,
): Promise<PutPosition[]> {
  const positions: PutPosition[] = [];
  const sendable = entries.filter((entry) => {
    const bytes = sizeOf(entry);
    if (bytes <= MAX_RECORD_BYTES) return true;
    if (!tooLarge) throw new RecordTooLargeError(bytes);
    tooLarge(entry, bytes);
    return false;
  });
  for (const chunk of groupByCountAndBytes(sendable, MAX_RECORDS, MAX_BYTES, sizeOf)) {
    const placed: (PutPosition | undefined)[] = new Array(chunk.length);
    let pending = chunk.map((entry, index) => ({ entry, index }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0) await new Promise((r) => setTimeout(r, backoffDelay(attempt, PUT_RETRY)));
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: pending.map(({ entry }) => ({
            PartitionKey: entry.partitionKey,
            Data: Buffer.from(entry.data),
          })),
        }),
        { abortSignal: signal },
      );
      const refused: typeof pending = [];
      pending.forEach((item, i) => {
        const outcome = result.Records?.[i];
        if (!outcome || outcome.ErrorCode) refused.push(item);
        else
          placed[item.index] = {
            shardId: outcome.ShardId as string,
            sequenceNumber: outcome.SequenceNumber as string,
          };
      });
      pending = refused;
    }
    positions.push(...(placed as PutPosition[]));
  }
  return positions;
}
