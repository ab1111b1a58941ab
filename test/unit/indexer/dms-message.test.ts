import { describe, expect, it } from "vitest";
import { parseDmsMessage } from "../../../functions/indexer/dms-message";
import { controlMessage, dmsMessage } from "../../helpers/dms";

describe("parseDmsMessage", () => {
  it("parses a newline-terminated json-unformatted insert with transaction details", () => {
    const text = `${JSON.stringify(dmsMessage({ op: "insert", row: { id: 1 }, commitMs: Date.UTC(2026, 0, 1), micros: 123, recordId: 4 }))}\n`;
    const m = parseDmsMessage(Buffer.from(text));
    expect(m).toMatchObject({
      kind: "change",
      operation: "insert",
      schema: "public",
      table: "orders",
      row: { id: 1 },
    });
    if (m.kind !== "change") throw new Error("expected a change");
    expect(m.position).toEqual({
      kind: "commit",
      micros: BigInt(Date.UTC(2026, 0, 1)) * 1000n + 123n,
      recordOffset: 4,
      fromRecordTimestamp: false,
    });
  });

  it("accepts pretty-printed json", () => {
    const text = JSON.stringify(dmsMessage({ op: "update", row: { id: 2 } }), null, 2);
    expect(parseDmsMessage(text)).toMatchObject({ kind: "change", operation: "update" });
  });

  it("gives load records a snapshot position, whatever their metadata.timestamp", () => {
    const m = parseDmsMessage(
      JSON.stringify(dmsMessage({ op: "load", row: { id: 3 }, commitMs: Date.UTC(2026, 0, 1) })),
    );
    if (m.kind !== "change") throw new Error("expected a change");
    expect(m.position).toEqual({ kind: "snapshot" });
  });

  it("falls back to metadata.timestamp when transaction details are absent", () => {
    const msg = dmsMessage({ op: "insert", row: { id: 1 } }) as { metadata: Record<string, unknown> };
    delete msg.metadata["commit-timestamp"];
    const m = parseDmsMessage(JSON.stringify(msg));
    expect(m.kind === "change" && m.position).toMatchObject({ kind: "commit", fromRecordTimestamp: true });
  });

  it("returns control records as control", () => {
    const text = JSON.stringify(controlMessage());
    expect(parseDmsMessage(text)).toEqual({
      kind: "control",
      operation: "create-table",
      schema: "public",
      table: "orders",
    });
  });

  it.each([
    ["invalid_json", '{"data": {"id": 1}, "metadata": {'],
    ["invalid_dms_message", JSON.stringify({ data: { id: 1 } })],
    [
      "unknown_operation",
      JSON.stringify(dmsMessage({ op: "insert", row: { id: 1 } })).replace('"insert"', '"truncate"'),
    ],
    [
      "unknown_record_type",
      JSON.stringify(dmsMessage({ op: "insert", row: { id: 1 } })).replace(
        '"data","operation"',
        '"ddl","operation"',
      ),
    ],
    [
      "missing_data",
      JSON.stringify({ metadata: (dmsMessage({ op: "insert", row: {} }) as { metadata: unknown }).metadata }),
    ],
  ])("rejects %s as a permanent error", (code, text) => {
    expect(() => parseDmsMessage(text)).toThrow(expect.objectContaining({ code }));
  });
});
