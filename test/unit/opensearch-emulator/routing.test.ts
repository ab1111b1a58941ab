/**
 * The emulator routes documents to shards as OpenSearch does (Murmur3 x86 32-bit of the id's UTF-16LE
 * bytes, floorMod by the routing shards): OpenSearch's own delete/50_refresh test relies on ids "1" and
 * "3" being on different shards of five.
 */
import { describe, expect, it } from "vitest";
import { defaultRoutingShards, murmur3, shardOf } from "../../../tools/opensearch-emulator/routing";

describe("emulator shard routing", () => {
  it("matches Murmur3 x86 32-bit reference values", () => {
    expect(murmur3(new Uint8Array([]))).toBe(0);
    expect(murmur3(new TextEncoder().encode("hello"))).toBe(0x248bfa47 | 0);
    expect(murmur3(new TextEncoder().encode("The quick brown fox jumps over the lazy dog"))).toBe(
      0x2e4ff723 | 0,
    );
  });

  it("puts ids 1 and 3 on different shards of five, as OpenSearch's delete/50_refresh test needs", () => {
    expect(shardOf("3", 5, 5)).not.toBe(shardOf("1", 5, 5));
  });

  it("keeps OpenSearch's default routing shards (room to split to 1,024)", () => {
    expect(defaultRoutingShards(1)).toBe(1024);
    expect(defaultRoutingShards(5)).toBe(640);
    for (let i = 0; i < 100; i++) expect(shardOf(String(i), 3)).toBeLessThan(3);
  });
});
