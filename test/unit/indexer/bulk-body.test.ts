import { describe, expect, it } from "vitest";
import { bodyOf, splitEntries, toEntries } from "../../../functions/indexer/bulk-body";
import type { Action } from "../../../functions/indexer/plan";

const text = (actions: Action[]) => bodyOf(toEntries(actions, (a) => a)).toString("utf8");
const indexAction = (doc: Record<string, unknown>): Action => ({
  op: "index",
  index: "i",
  id: "x",
  version: 1n,
  doc,
});

describe("NDJSON bodies", () => {
  it("writes versions exactly, beyond 2^53", () => {
    const line = text([{ op: "delete", index: "orders", id: 'a"b', version: 1_733_000_000_000_000_123n }]);
    expect(line).toBe(
      '{"delete":{"_index":"orders","_id":"a\\"b","version":1733000000000000123,"version_type":"external_gte"}}\n',
    );
    const index = text([{ op: "index", index: "o", id: "1", version: 1n, doc: { x: "é" } }]);
    expect(index.split("\n")).toEqual([
      '{"index":{"_index":"o","_id":"1","version":1,"version_type":"external_gte"}}',
      '{"x":"é"}',
      "",
    ]);
  });
  it("encodes each entry once, as UTF-8, in order, whatever the mix of ASCII and wider characters", () => {
    const docs = [{ p: "a" }, { p: "€".repeat(50) }, { p: "😀" }, { p: "b".repeat(3000) }, { p: "ü" }];
    const actions: Action[] = docs.flatMap((doc, i) => [
      { op: "delete", index: "i", id: `d${i}`, version: 2n },
      { op: "index", index: "i", id: `x${i}`, version: 1n, doc },
    ]);
    const entries = toEntries(actions, (a) => a);
    const expected = actions.map((a) =>
      a.op === "delete"
        ? `{"delete":{"_index":"i","_id":"${a.id}","version":2,"version_type":"external_gte"}}\n`
        : `{"index":{"_index":"i","_id":"${a.id}","version":1,"version_type":"external_gte"}}\n${JSON.stringify(a.doc)}\n`,
    );
    expect(entries.map((e) => e.bytes.toString("utf8"))).toEqual(expected);
    expect(entries.map((e) => e.bytes.length)).toEqual(expected.map((t) => Buffer.byteLength(t)));
    expect(bodyOf(entries).toString("utf8")).toBe(expected.join(""));
    // Any subset, in any order (a retry, a split), is the concatenation of its entries.
    const some = [entries[7], entries[2], entries[3], entries[0]].filter((e) => e !== undefined);
    expect(bodyOf(some).toString("utf8")).toBe([7, 2, 3, 0].map((i) => expected[i]).join(""));
  });
  it("splits by bytes and by count, an oversized entry alone", () => {
    const entries = toEntries([10, 10, 10, 500, 10], (n) => indexAction({ p: "x".repeat(n) }));
    const bytes = entries[0]?.bytes.length ?? 0;
    const chunks = splitEntries(entries, bytes * 2, 100);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1, 1]);
    expect(splitEntries(entries, 1e9, 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
  it("splits by UTF-8 bytes, not characters", () => {
    const entries = toEntries([1, 2, 3], () => indexAction({ p: "€".repeat(100) })); // 3 bytes per character
    const bytes = entries[0]?.bytes.length ?? 0;
    const characters = entries.reduce((sum, e) => sum + e.bytes.toString("utf8").length, 0);
    expect(characters).toBeLessThan(bytes * 2); // by characters all three would fit in one request
    expect(splitEntries(entries, bytes * 2, 100).map((c) => c.length)).toEqual([2, 1]);
  });
});
