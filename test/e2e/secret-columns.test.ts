/**
 * A column the routing config excludes (`orders.card_number`) is removed at the source by the DMS table
 * mappings, so its value is in no Kinesis record, no dead letter and no log line, even for a row that is
 * dead-lettered, with every log level on; through changes, a full load and `npm run reload` alike.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { reloadLocally } from "../../operator/reload/reload";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { startTestStack, stopTestStack } from "../helpers/stack";
import { streamRecords as allRecords } from "../helpers/stream-records";

const SECRET = "4111-1111-SECRET-0042";
const VISIBLE = "visible-status-0042";
const output: string[] = [];
const restore: (() => void)[] = [];
let t: Awaited<ReturnType<typeof startTestStack>>;

beforeAll(async () => {
  process.env.POWERTOOLS_LOG_LEVEL = "DEBUG";
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    stream.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
      output.push(String(chunk));
      return write(chunk, ...rest);
    }) as typeof stream.write;
    restore.push(() => {
      stream.write = write;
    });
  }
  t = await startTestStack({ log: (line) => output.push(line) });
});
afterAll(async () => {
  await stopTestStack(t);
  for (const r of restore) r();
});

/** Every record on the stack's stream. */
const streamRecords = () => allRecords(t.stack.kinesisEndpoint, "cdc-stream-local");

describe("excluded columns", () => {
  it("never leave the database: not on the stream, not in the DLQ, not in a log line", async () => {
    const { db, stack } = t;
    await db.query(
      `INSERT INTO orders (id, status, amount, attributes, card_number) VALUES
         (1, $1, 1, '{"priority": 1}', $2)`,
      [VISIBLE, SECRET],
    );
    await db.query("UPDATE orders SET card_number = $1 || '-2', status = $2 WHERE id = 1", [SECRET, VISIBLE]);
    expect(await stack.settle(30_000)).toBe(true);
    // A row the index refuses (priority changes type), with a card number: it is dead-lettered.
    await db.query(
      `INSERT INTO orders (id, status, amount, attributes, card_number) VALUES
         (2, $1, 1, '{"priority": "urgent"}', $2)`,
      [VISIBLE, SECRET],
    );
    expect(await stack.settle(30_000)).toBe(true);
    // The same rows again through a full load (a new DMS task).
    await stack.capture.stop();
    await db.query("SELECT pg_drop_replication_slot($1)", [stack.capture.slotName]);
    await stack.startCapture();
    expect(await stack.settle(30_000)).toBe(true);
    // And once more through `npm run reload` of the table.
    const loadsBefore = (await streamRecords()).filter((r) => r.includes('"operation":"load"')).length;
    const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
    await reloadLocally({
      database: stack.databaseUrl,
      kinesis,
      streamName: "cdc-stream-local",
      tableMappings: dmsTableMappings(stack.pipeline),
      tables: ["public.orders"],
    });
    kinesis.destroy();
    expect(await stack.settle(30_000)).toBe(true);

    const records = await streamRecords();
    expect(records.filter((r) => r.includes('"operation":"load"')).length).toBe(loadsBefore + 2);
    const deadLetters = await stack.deadLetters();
    // The readers see the rows (a visible column is there) ...
    expect(records.filter((r) => r.includes(VISIBLE)).length).toBeGreaterThanOrEqual(4);
    expect(records.some((r) => r.includes('"operation":"load"'))).toBe(true);
    expect(deadLetters.length).toBeGreaterThanOrEqual(1);
    expect(output.join("").length).toBeGreaterThan(0);
    // ... and the secret is nowhere.
    expect(records.filter((r) => r.includes("SECRET") || r.includes("card_number"))).toEqual([]);
    expect(deadLetters.filter((m) => m.includes("SECRET"))).toEqual([]);
    expect(output.filter((line) => line.includes("SECRET"))).toEqual([]);
  });
});
