/** Every record on a Kinesis stream (the local stack's kinesalite), from the start of each shard. */
import { GetRecordsCommand, GetShardIteratorCommand, ListShardsCommand } from "@aws-sdk/client-kinesis";
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
