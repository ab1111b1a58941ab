import { describe, expect, it } from "vitest";
import { actionLines, splitEntries, toEntries } from "../../../functions/indexer/bulk-body";

describe("NDJSON bodies", () => {
  it("writes versions exactly, beyond 2^53", () => {
    const line = actionLines({
      op: "delete",
      index: "orders",
      id: 'a"b',
      version: 1_733_000_000_000_000_123n,
    });
    expect(line).toBe(
      '{"delete":{"_index":"orders","_id":"a\\"b","version":1733000000000000123,"version_type":"external_gte"}}\n',
    );
    const index = actionLines({ op: "index", index: "o", id: "1", version: 1n, doc: { x: "é" } });
    expect(index.split("\n")).toEqual([
      '{"index":{"_index":"o","_id":"1","version":1,"version_type":"external_gte"}}',
      '{"x":"é"}',
      "",
    ]);
  });
  it("splits by bytes and by count, an oversized entry alone", () => {
    const entries = toEntries([10, 10, 10, 500, 10], (n) => ({
      op: "index",
      index: "i",
      id: "x",
      version: 1n,
      doc: { p: "x".repeat(n) },
    }));
    const bytes = Buffer.byteLength(entries[0]?.text ?? "");
    const chunks = splitEntries(entries, bytes * 2, 100);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1, 1]);
    expect(splitEntries(entries, 1e9, 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
  it("splits by UTF-8 bytes, not characters", () => {
    const entries = toEntries([1, 2, 3], () => ({
      op: "index",
      index: "i",
      id: "x",
      version: 1n,
      doc: { p: "€".repeat(100) }, // 3 bytes per character
    }));
    const bytes = Buffer.byteLength(entries[0]?.text ?? "");
    const characters = entries.reduce((sum, e) => sum + e.text.length, 0);
    expect(characters).toBeLessThan(bytes * 2); // by characters all three would fit in one request
    expect(splitEntries(entries, bytes * 2, 100).map((c) => c.length)).toEqual([2, 1]);
  });
});
