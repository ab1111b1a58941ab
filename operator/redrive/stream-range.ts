/**
 * Reads records back from a Kinesis shard, from one sequence number to another (inclusive), for dead
 * letters that only point at their records. A range is complete only if both ends are still in the
 * stream: records past the stream's retention are gone, and the message must then stay in the DLQ.
 */
import { GetRecordsCommand, GetShardIteratorCommand, type KinesisClient } from "@aws-sdk/client-kinesis";
import type { StoredRecord } from "./messages";

export type RangeResult = { records: StoredRecord[]; complete: boolean; problem?: string };

const MAX_CALLS = 10_000;

export async function readRange(
  kinesis: Pick<KinesisClient, "send">,
  streamName: string,
  shardId: string,
  start: string,
  end: string,
): Promise<RangeResult> {
  let iterator: string | undefined;
  try {
    iterator = (
      await kinesis.send(
        new GetShardIteratorCommand({
          StreamName: streamName,
          ShardId: shardId,
          ShardIteratorType: "AT_SEQUENCE_NUMBER",
          StartingSequenceNumber: start,
        }),
      )
    ).ShardIterator;
  } catch (error) {
    return {
      records: [],
      complete: false,
      problem: `cannot read ${shardId} at ${start}: ${(error as Error).message}`,
    };
  }
  const last = BigInt(end);
  const records: StoredRecord[] = [];
  let firstSeen: string | undefined;
  let lastSeen: string | undefined;
  for (let calls = 0; iterator && calls < MAX_CALLS; calls++) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator, Limit: 1_000 }));
    for (const record of page.Records ?? []) {
      const seq = record.SequenceNumber as string;
      if (BigInt(seq) > last) return finish();
      firstSeen ??= seq;
      lastSeen = seq;
      records.push({
        partitionKey: record.PartitionKey as string,
        data: Buffer.from(record.Data ?? new Uint8Array()),
      });
    }
    if (lastSeen !== undefined && BigInt(lastSeen) >= last) return finish();
    if (!page.Records?.length && page.MillisBehindLatest === 0) break; // at the tip: nothing more to come
    iterator = page.NextShardIterator;
  }
  return finish();

  function finish(): RangeResult {
    const complete = firstSeen === start && lastSeen === end;
    return complete
      ? { records, complete }
      : {
          records,
          complete,
          problem: `records ${start}..${end} of ${shardId} are no longer all in the stream`,
        };
  }
}
