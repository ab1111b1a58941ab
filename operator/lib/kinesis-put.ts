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

const sizeOf = (entry: KinesisEntry) => Buffer.byteLength(entry.data) + Buffer.byteLength(entry.partitionKey);

/** Where Kinesis stored a record. */
export type PutPosition = { shardId: string; sequenceNumber: string };

/** Puts every entry; resolves to each entry's position, in entry order. */
/** Records Kinesis refused (throughput) are put again after a short backoff. */
const PUT_RETRY = { baseDelayMs: 25, maxDelayMs: 1_000 };

export async function putAll(
  kinesis: KinesisClient,
  streamName: string,
  entries: KinesisEntry[],
  signal?: AbortSignal,
): Promise<PutPosition[]> {
  const positions: PutPosition[] = [];
  for (const chunk of groupByCountAndBytes(entries, MAX_RECORDS, MAX_BYTES, sizeOf)) {
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
