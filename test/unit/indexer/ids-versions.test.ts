import { describe, expect, it } from "vitest";
import { documentId, primaryKeyColumns } from "../../../functions/indexer/document-id";
import { documentVersion, versionCommitMillis } from "../../../functions/indexer/version";

describe("documentId", () => {
  it("uses the single key value as text", () => {
    expect(documentId("public.orders", ["id"], { id: 42 })).toBe("42");
    expect(documentId("public.orders", ["id"], { id: "42" })).toBe("42");
  });
  it("encodes composite keys unambiguously in key order", () => {
    expect(documentId("t.t", ["a", "b"], { b: 2, a: 7 })).toBe("7|2");
    const x = documentId("t.t", ["a", "b"], { a: "x|y", b: "z" });
    const y = documentId("t.t", ["a", "b"], { a: "x", b: "y|z" });
    expect(x).not.toBe(y);
    expect(x).toBe("x%7Cy|z");
  });
  it.each([
    ["missing_primary_key", { other: 1 }],
    ["missing_primary_key", { id: null }],
    ["lossy_primary_key", { id: "1.2345678901234567E+18" }],
    ["invalid_primary_key", { id: { nested: 1 } }],
    ["invalid_primary_key", { id: "x".repeat(600) }],
  ])("fails with %s for %j", (code, row) => {
    expect(() => documentId("public.orders", ["id"], row)).toThrow(expect.objectContaining({ code }));
  });
  it("defaults to [id] only when the row has an id column", () => {
    expect(primaryKeyColumns("t.t", undefined, { id: 1 })).toEqual(["id"]);
    expect(primaryKeyColumns("t.t", ["a", "b"], { id: 1 })).toEqual(["a", "b"]);
    expect(() => primaryKeyColumns("t.t", undefined, { code: 1 })).toThrow(
      expect.objectContaining({ code: "no_primary_key" }),
    );
  });
});

describe("documentVersion", () => {
  const micros = (ms: number) => BigInt(ms) * 1000n;
  it("orders by commit time, then by offset in the transaction", () => {
    const t = Date.UTC(2026, 10, 21);
    const a = documentVersion({
      kind: "commit",
      micros: micros(t),
      recordOffset: 1,
      fromRecordTimestamp: false,
    });
    const b = documentVersion({
      kind: "commit",
      micros: micros(t),
      recordOffset: 2,
      fromRecordTimestamp: false,
    });
    const c = documentVersion({
      kind: "commit",
      micros: micros(t) + 1n,
      recordOffset: 0,
      fromRecordTimestamp: false,
    });
    expect(a < b && b < c).toBe(true);
  });
  it("saturates the offset so a huge transaction cannot overflow into the next microsecond", () => {
    const t = micros(Date.UTC(2026, 0, 1));
    const big = documentVersion({
      kind: "commit",
      micros: t,
      recordOffset: 50_000,
      fromRecordTimestamp: false,
    });
    const next = documentVersion({
      kind: "commit",
      micros: t + 1n,
      recordOffset: 0,
      fromRecordTimestamp: false,
    });
    expect(big < next).toBe(true);
  });
  it("puts every snapshot (full-load) row below every change, even one committed before 2020", () => {
    const early = documentVersion({ kind: "commit", micros: 0n, recordOffset: 0, fromRecordTimestamp: true });
    expect(documentVersion({ kind: "snapshot" })).toBe(0n);
    expect(early > documentVersion({ kind: "snapshot" })).toBe(true);
  });
  it("fits a signed 64-bit long for decades and round-trips the commit time", () => {
    const v = documentVersion({
      kind: "commit",
      micros: micros(Date.UTC(2055, 0, 1)),
      recordOffset: 8191,
      fromRecordTimestamp: false,
    });
    expect(v < 2n ** 63n).toBe(true);
    expect(
      versionCommitMillis(
        documentVersion({
          kind: "commit",
          micros: micros(1_795_000_000_123),
          recordOffset: 3,
          fromRecordTimestamp: false,
        }),
      ),
    ).toBe(1_795_000_000_123);
  });
});
