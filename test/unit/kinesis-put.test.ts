/** Putting records on Kinesis: partition keys within Kinesis's limit, records within its size. */
import { KinesisClient, PutRecordsCommand } from "@aws-sdk/client-kinesis";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { MAX_RECORD_BYTES, putAll, RecordTooLargeError } from "../../operator/lib/kinesis-put";
import { dmsPartitionKey, MAX_PARTITION_KEY_LENGTH } from "../../shared/dms-settings";

describe("dmsPartitionKey", () => {
  it("keys by schema.table.<key>, and a key Kinesis would refuse by a hash of it, one per row", () => {
    expect(dmsPartitionKey("primary-key", "public", "orders", ["42"])).toBe("public.orders.42");
    expect(dmsPartitionKey("schema-table", "public", "orders", ["42"])).toBe("public.orders");
    const long = (c: string) => dmsPartitionKey("primary-key", "public", "events", [c.repeat(300)]);
    expect(long("a")).toMatch(/^public\.events\.sha256:[0-9a-f]{64}$/);
    expect(long("a")).toBe(long("a"));
    expect(long("b")).not.toBe(long("a"));
    const longest = dmsPartitionKey("primary-key", "s".repeat(63), "t".repeat(63), ["k".repeat(500)]);
    expect(longest.length).toBeLessThanOrEqual(MAX_PARTITION_KEY_LENGTH);
    const atLimit = "k".repeat(MAX_PARTITION_KEY_LENGTH - "public.events.".length);
    expect(dmsPartitionKey("primary-key", "public", "events", [atLimit])).toBe(`public.events.${atLimit}`);
  });
});

describe("putAll", () => {
  const big = { partitionKey: "public.orders.1", data: "x".repeat(MAX_RECORD_BYTES) };
  const small = (n: number) => ({ partitionKey: `public.orders.${n}`, data: `{"n":${n}}` });

  it("hands a record larger than Kinesis takes to tooLarge and sends the others", async () => {
    const kinesis = mockClient(KinesisClient);
    kinesis.on(PutRecordsCommand).callsFake((input: { Records: unknown[] }) => ({
      Records: input.Records.map((_, i) => ({ ShardId: "shardId-0", SequenceNumber: String(i) })),
    }));
    const refused: number[] = [];
    const positions = await putAll(
      new KinesisClient({ region: "us-east-1" }),
      "s",
      [small(1), big, small(2)],
      undefined,
      (_entry, bytes) => refused.push(bytes),
    );
    expect(refused).toEqual([MAX_RECORD_BYTES + big.partitionKey.length]);
    expect(positions).toHaveLength(2);
    const sent = kinesis.commandCalls(PutRecordsCommand)[0]?.args[0].input.Records ?? [];
    expect(sent.map((r) => r.PartitionKey)).toEqual(["public.orders.1", "public.orders.2"]);
    kinesis.restore();
  });

  it("without tooLarge, refuses the call before sending anything", async () => {
    const kinesis = mockClient(KinesisClient);
    await expect(putAll(new KinesisClient({ region: "us-east-1" }), "s", [small(1), big])).rejects.toThrow(
      RecordTooLargeError,
    );
    expect(kinesis.commandCalls(PutRecordsCommand)).toHaveLength(0);
    kinesis.restore();
  });
});
