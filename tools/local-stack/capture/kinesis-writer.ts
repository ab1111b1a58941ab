/**
 * Writes records to Kinesis with PutRecords: chunks of at most 500 records and 5 MiB, one request at a
 * time so each table's records keep their order; records a request refused (throttling) are sent again
 * until every record is accepted or the writer is aborted.
 */
import { type KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import type { KinesisEntry } from "./dms-records";

const MAX_RECORDS = 500;
const MAX_BYTES = 5 * 1024 * 1024;

function chunks(entries: KinesisEntry[]): KinesisEntry[][] {
  const out: KinesisEntry[][] = [];
  let current: KinesisEntry[] = [];
  let bytes = 0;
  for (const entry of entries) {
    const size = Buffer.byteLength(entry.data) + Buffer.byteLength(entry.partitionKey);
    if (current.length > 0 && (current.length === MAX_RECORDS || bytes + size > MAX_BYTES)) {
      out.push(current);
      current = [];
      bytes = 0;
    }
    current.push(entry);
    bytes += size;
  }
  if (current.length > 0) out.push(current);
  return out;
}

export async function putAll(
  kinesis: KinesisClient,
  streamName: string,
  entries: KinesisEntry[],
  signal?: AbortSignal,
): Promise<void> {
  for (const chunk of chunks(entries)) {
    let pending = chunk;
    for (let attempt = 0; pending.length > 0; attempt++) {
      signal?.throwIfAborted();
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
      const result = await kinesis.send(
        new PutRecordsCommand({
          StreamName: streamName,
          Records: pending.map((e) => ({ PartitionKey: e.partitionKey, Data: Buffer.from(e.data) })),
        }),
        { abortSignal: signal },
      );
      pending = pending.filter((_, i) => result.Records?.[i]?.ErrorCode);
    }
  }
}
