/** The capture's DMS rendering, and that the indexer reads what the capture writes. */
import { describe, expect, it } from "vitest";
import { parseDmsMessage } from "../../../functions/indexer/dms-message";
import { loadRecord, type Relation, transactionRecords } from "../../../operator/lib/dms/records";
import { PG_TYPE, renderValue } from "../../../operator/lib/dms/render";

const orders: Relation = {
  schema: "public",
  name: "orders",
  columns: [
    { name: "id", typeOid: PG_TYPE.int8 },
    { name: "amount", typeOid: PG_TYPE.numeric },
    { name: "attributes", typeOid: 3802 },
    { name: "active", typeOid: PG_TYPE.bool },
  ],
  keyColumns: ["id"],
};
const tx = (changes: Parameters<typeof transactionRecords>[0]["changes"]) => ({
  xid: 42,
  prevXid: 41,
  commitMicros: 1_795_000_000_123_456n,
  commitLsn: "0/16B3748",
  changes,
});

describe("renderValue (DMS rendering of PostgreSQL text values)", () => {
  it.each([
    ["42", PG_TYPE.int4, 42],
    ["1234567890123456", PG_TYPE.int8, 1234567890123456],
    ["10.50", PG_TYPE.numeric, "10.50"],
    ["1.5", PG_TYPE.float8, 1.5],
    ["NaN", PG_TYPE.float8, "NaN"],
    ["t", PG_TYPE.bool, "true"],
    ["false", PG_TYPE.bool, "false"],
    ["2026-11-21 09:00:00.123456+00", PG_TYPE.timestamptz, "2026-11-21 09:00:00.123456"],
    ["2026-11-21 09:00:00", PG_TYPE.timestamp, "2026-11-21 09:00:00"],
    ["\\x0102", PG_TYPE.bytea, "AQI="],
    ['{"a": 1}', 3802, '{"a": 1}'],
    ["{x,y}", 1009, "{x,y}"],
    [null, PG_TYPE.int4, null],
  ])("%s (type %i) -> %j", (text, oid, expected) => {
    expect(renderValue(text, oid)).toEqual(expected);
  });

  it("renders booleans as JSON booleans only with MapBooleanAsBoolean", () => {
    expect(renderValue("t", PG_TYPE.bool, { mapBooleanAsBoolean: true, lobMaxBytes: 10 })).toBe(true);
    expect(renderValue("t", PG_TYPE.bool, { mapBooleanAsBoolean: false, lobMaxBytes: 10 })).toBe("true");
  });

  it("truncates LOB values (text, json, jsonb, xml, bytea) at the task's LobMaxSize, at a character boundary", () => {
    const settings = { mapBooleanAsBoolean: false, lobMaxBytes: 8 };
    expect(renderValue("abcdefghij", PG_TYPE.text, settings)).toBe("abcdefgh");
    expect(renderValue('{"a": "bcdefgh"}', PG_TYPE.jsonb, settings)).toBe('{"a": "b');
    expect(renderValue("abcdefgé", PG_TYPE.json, settings)).toBe("abcdefg");
    expect(renderValue("\\x00010203040506070809", PG_TYPE.bytea, settings)).toBe(
      Buffer.from([0, 1, 2, 3, 4, 5, 6, 7]).toString("base64"),
    );
    expect(renderValue("abcdefghij", PG_TYPE.numeric, settings)).toBe("abcdefghij");
  });

  it("writes bigints of up to 16 digits with every digit, past 2^53 too", () => {
    const written = (text: string) => JSON.stringify({ v: renderValue(text, PG_TYPE.int8) });
    expect(written("9007199254740993")).toBe('{"v":9007199254740993}');
    expect(written("-9999999999999999")).toBe('{"v":-9999999999999999}');
    expect(written("9007199254740991")).toBe('{"v":9007199254740991}');
  });

  it("writes bigints beyond 16 digits in scientific notation, as DMS does", () => {
    expect(JSON.stringify({ v: renderValue("1234567890123456789", PG_TYPE.int8) })).toBe(
      '{"v":1.23456789012346E+18}',
    );
  });
});

describe("transactionRecords", () => {
  it("writes columns named like Object members (`__proto__`, `constructor`) as the columns they are", () => {
    const members: Relation = {
      schema: "public",
      name: "members",
      columns: [
        { name: "__proto__", typeOid: PG_TYPE.text },
        { name: "constructor", typeOid: PG_TYPE.int4 },
      ],
      keyColumns: ["constructor"],
    };
    // Tuples as both readers build them: the replication decoder (no prototype) and the table pages.
    const decoded = Object.assign(Object.create(null), JSON.parse('{"__proto__": "p", "constructor": "7"}'));
    const [change] = transactionRecords(tx([{ kind: "insert", relation: members, row: decoded }]), 1n);
    const paged = JSON.parse('{"__proto__": "p", "constructor": "7"}');
    for (const data of [change?.data, loadRecord(members, paged, 1n).data]) {
      expect(data).toContain('"data":{"__proto__":"p","constructor":7}');
      expect(parseDmsMessage(data ?? "")).toMatchObject({
        kind: "change",
        row: JSON.parse('{"__proto__": "p", "constructor": 7}'),
      });
    }
    expect(change?.partitionKey).toBe("public.members.7");
  });

  it("writes DMS json-unformatted records with transaction details, partitioned by schema.table", () => {
    const [insert] = transactionRecords(
      tx([
        {
          kind: "insert",
          relation: orders,
          row: { id: "7", amount: "1.00", attributes: '{"p": 1}', active: "t" },
        },
      ]),
      1_795_000_000_200_000n,
      "schema-table",
    );
    expect(insert?.partitionKey).toBe("public.orders");
    expect(insert?.data.endsWith("\n")).toBe(true);
    expect(JSON.parse(insert?.data ?? "")).toEqual({
      data: { id: 7, amount: "1.00", attributes: '{"p": 1}', active: "true" },
      metadata: {
        timestamp: "2026-11-18T11:06:40.200000Z",
        "record-type": "data",
        operation: "insert",
        "partition-key-type": "schema-table",
        "schema-name": "public",
        "table-name": "orders",
        "transaction-id": 42,
        "commit-timestamp": "2026-11-18T11:06:40.123456Z",
        "transaction-record-id": 1,
        "prev-transaction-id": 41,
        "stream-position": "0/16B3748.1",
      },
    });
  });

  it("keys each change by schema.table.<primary key> by default, naming it in the metadata, as DMS with parallel apply does", () => {
    const composite: Relation = { ...orders, name: "order_items", keyColumns: ["id", "amount"] };
    const records = transactionRecords(
      tx([
        { kind: "insert", relation: orders, row: { id: "7", amount: "1", attributes: null, active: "t" } },
        { kind: "delete", relation: orders, old: { id: "8", amount: null, attributes: null, active: null } },
        { kind: "insert", relation: composite, row: { id: "7", amount: "3", attributes: null, active: "t" } },
      ]),
      1n,
    );
    expect(records.map((r) => r.partitionKey)).toEqual([
      "public.orders.7",
      "public.orders.8",
      "public.order_items.7.3",
    ]);
    expect(JSON.parse(records[0]?.data ?? "").metadata).toMatchObject({
      "partition-key-type": "primary-key",
      "partition-key-value": "public.orders.7",
    });
    // Full-load records are keyed by primary key whatever the task's partitioning.
    expect(loadRecord(orders, { id: "9", amount: "1", attributes: null, active: "t" }, 5n).partitionKey).toBe(
      "public.orders.9",
    );
  });

  it("adds a before-image only when the key changed; a delete carries the key and nulls", () => {
    const records = transactionRecords(
      tx([
        {
          kind: "update",
          relation: orders,
          row: { id: "8", amount: "2", attributes: null, active: "f" },
          oldKey: { id: "7" },
        },
        {
          kind: "update",
          relation: orders,
          row: { id: "8", amount: "3", attributes: null, active: "f" },
          oldKey: null,
        },
        { kind: "delete", relation: orders, old: { id: "8" } },
      ]),
      0n,
    ).map((r) => JSON.parse(r.data));
    expect(records[0]["before-image"]).toEqual({ id: 7 });
    expect(records[1]).not.toHaveProperty("before-image");
    expect(records[2].data).toEqual({ id: 8, amount: null, attributes: null, active: null });
    expect(records.map((r) => r.metadata["transaction-record-id"])).toEqual([1, 2, 3]);
  });

  it("is read back by the indexer's parser with the commit position it versions by", () => {
    const [record] = transactionRecords(
      tx([
        { kind: "insert", relation: orders, row: { id: "7", amount: "1", attributes: null, active: "t" } },
      ]),
      0n,
    );
    const parsed = parseDmsMessage(record?.data ?? "");
    expect(parsed).toMatchObject({
      kind: "change",
      operation: "insert",
      schema: "public",
      table: "orders",
      position: {
        kind: "commit",
        micros: 1_795_000_000_123_456n,
        recordOffset: 1,
        fromRecordTimestamp: false,
      },
    });
    const load = parseDmsMessage(
      loadRecord(orders, { id: "7", amount: "1", attributes: null, active: "t" }, 5n).data,
    );
    expect(load).toMatchObject({ operation: "load", position: { kind: "snapshot" } });
  });
});
