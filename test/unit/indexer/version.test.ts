import { describe, expect, it } from "vitest";
import { documentVersion, versionCommitMillis } from "../../../functions/indexer/version";

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
