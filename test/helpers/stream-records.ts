/** Every record on a Kinesis stream (the local stack's kinesalite, moto), from the start of each shard. */
import {
  type _Record,
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
} from "@aws-sdk/client-kinesis";
import type { KinesisStreamRecord } from "aws-lambda";
import { createKinesisClient } from "../../operator/lib/kinesis-client";

export async function streamRecords(endpoint: string | undefined, streamName: string): Promise<string[]> {
  const kinesis = createKinesisClient("us-east-1", endpoint);
  try {
    const { Shards = [] } = await kinesis.send(new ListShardsCommand({ StreamName: streamName }));
    const texts: string[] = [];
    for (const shard of Shards) {
      let iterator = (
        await kinesis.send(
          new GetShardIteratorCommand({
            StreamName: streamName,
            ShardId: shard.ShardId,
            ShardIteratorType: "TRIM_HORIZON",
          }),
        )
      ).ShardIterator;
      while (iterator) {
        const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
        texts.push(...(page.Records ?? []).map((r) => Buffer.from(r.Data ?? []).toString("utf8")));
        iterator = page.Records?.length ? page.NextShardIterator : undefined;
      }
    }
    return texts;
  } finally {
    kinesis.destroy();
  }
}

/**
 * Every record of a stream's first shard, as Lambda's Kinesis event carries it (what the indexer's dead
 * letters are made from), in order.
 */
export async function lambdaRecords(
  kinesis: KinesisClient,
  streamName: string,
  streamArn: string,
): Promise<KinesisStreamRecord[]> {
  const shardId = (await kinesis.send(new ListShardsCommand({ StreamName: streamName }))).Shards?.[0]
    ?.ShardId as string;
  let iterator = (
    await kinesis.send(
      new GetShardIteratorCommand({
        StreamName: streamName,
        ShardId: shardId,
        ShardIteratorType: "TRIM_HORIZON",
      }),
    )
  ).ShardIterator;
  const asLambda = (r: _Record) =>
    ({
      eventID: `${shardId}:${r.SequenceNumber}`,
      eventSourceARN: streamArn,
      kinesis: {
        partitionKey: r.PartitionKey as string,
        sequenceNumber: r.SequenceNumber as string,
        data: Buffer.from(r.Data as Uint8Array).toString("base64"),
        approximateArrivalTimestamp: (r.ApproximateArrivalTimestamp as Date).getTime() / 1000,
        kinesisSchemaVersion: "1.0",
      },
    }) as KinesisStreamRecord;
  const out: KinesisStreamRecord[] = [];
  for (;;) {
    const page = await kinesis.send(new GetRecordsCommand({ ShardIterator: iterator }));
    out.push(...(page.Records ?? []).map(asLambda));
    if (!page.Records?.length) return out;
    iterator = page.NextShardIterator;
  }
}
