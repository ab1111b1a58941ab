/**
 * The benchmarks' DMS workload, as issue 16 describes it: rows of about 1 KB on `public.orders` (a jsonb
 * column, numeric, boolean and timestamp columns, an excluded card number), 70 % updates, 20 % inserts,
 * 10 % deletes, and a fifth of all changes on a handful of hot rows (which compaction folds).
 */
import type { KinesisStreamRecord } from "aws-lambda";
import { dmsLine, kinesisRecord } from "../lib/kinesis-event";

const HOT_ROWS = 8;
const EXISTING_ROWS = 1_000_000;

/** A deterministic spread over the existing rows (no two nearby changes share a key by accident). */
const spread = (n: number) => (Math.imul(n, 2_654_435_761) >>> 0) % EXISTING_ROWS;

export function operationOf(n: number): "insert" | "update" | "delete" {
  const slot = n % 10;
  return slot === 9 ? "delete" : slot >= 7 ? "insert" : "update";
}

/** The row a change touches: slots 0 and 5 (a fifth of all changes) update one of the hot rows. */
export function keyOf(n: number): number {
  const op = operationOf(n);
  if (op === "insert") return EXISTING_ROWS + n;
  if (n % 5 === 0) return (n / 5) % HOT_ROWS;
  return HOT_ROWS + spread(n);
}

/** The DMS message of change n (json-unformatted, as DMS writes it to Kinesis). */
export function dmsChange(n: number, base = Date.UTC(2026, 10, 21, 9, 0, 0)): Record<string, unknown> {
  const op = operationOf(n);
  const commit = new Date(base + n * 3).toISOString().replace("Z", "123Z");
  return {
    data: {
      id: keyOf(n),
      customer_id: n % 5_000,
      status: `s${n % 7}`,
      amount: `${(n % 100_000) + 0.25}`,
      attributes: JSON.stringify({
        channel: n % 3 === 0 ? "web" : "store",
        tags: Array.from({ length: 20 }, (_, t) => `tag-${t}-${n % 13}`),
        note: "x".repeat(300),
      }),
      active: n % 4 === 0 ? "false" : "true",
      card_number: "4111111111111111",
      created_at: "2026-11-21 09:15:02.123456",
      updated_at: new Date(base + n * 3).toISOString().replace("T", " ").replace("Z", "123"),
    },
    metadata: {
      timestamp: commit,
      "record-type": "data",
      operation: op,
      "partition-key-type": "primary-key",
      "schema-name": "public",
      "table-name": "orders",
      "transaction-id": 5_000 + n,
      "commit-timestamp": commit,
      "transaction-record-id": 1,
    },
  };
}

/** `size` Kinesis records (changes offset .. offset+size-1), keyed as DMS keys them by primary key. */
export function workload(size: number, offset = 0): KinesisStreamRecord[] {
  return Array.from({ length: size }, (_, i) => {
    const n = offset + i;
    return kinesisRecord({ partitionKey: `public.orders.${keyOf(n)}`, data: dmsLine(dmsChange(n)) }, n);
  });
}
