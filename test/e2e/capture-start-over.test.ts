/**
 * A capture on a database that outlives the stack's folder (DATABASE_URL): a restart resumes the slot
 * (changes made meanwhile are streamed, nothing is loaded again); a folder made new (`--fresh`, `.local`
 * deleted) starts over, dropping the old slot and loading every table, since the stream and index that
 * slot fed are gone. An active slot is never dropped.
 */
import { describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { parseStreamArn } from "../../operator/redrive/messages";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { Capture } from "../../tools/local-stack/capture/capture";
import { useTestStack } from "../helpers/stack";

const testStack = useTestStack();

describe("a capture on a database of one's own", () => {
  it("resumes its slot across restarts and starts over with a full load when its folder is new", async () => {
    const { db, stack } = testStack();
    const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
    const logged: string[] = [];
    const capture = (startOver: boolean) =>
      new Capture({
        databaseUrl: stack.databaseUrl,
        kinesis,
        streamName: parseStreamArn(stack.streamArn).name,
        tableMappings: dmsTableMappings(stack.pipeline),
        slotName: "own_db_slot",
        publicationName: "own_db_pub",
        startOver,
        log: (line) => logged.push(line),
      });
    try {
      await db.query("INSERT INTO orders (id, status, amount) VALUES (70, 'first', 1)");
      const first = capture(true); // no slot yet: starting over is just starting
      await first.start();
      expect(first.stats.loaded).toBeGreaterThan(0);
      await first.stop();

      await db.query("INSERT INTO orders (id, status, amount) VALUES (71, 'while stopped', 1)");
      const resumed = capture(false);
      await resumed.start();
      const { rows } = await db.query<{ lsn: string }>(
        "SELECT pg_logical_emit_message(true, 'test', 'mark')::text AS lsn",
      );
      expect(await resumed.confirmedPast(rows[0]?.lsn as string, 20_000)).toBe(true);
      expect(resumed.stats.loaded).toBe(0);
      expect(resumed.stats.captured).toBeGreaterThanOrEqual(1); // the row inserted while stopped

      // Another capture while this one runs: the slot is in use and is not dropped.
      const second = capture(true);
      await expect(second.start()).rejects.toThrow(/replication slot own_db_slot is in use/);
      await second.stop();
      await resumed.stop();

      const over = capture(true);
      await over.start();
      expect(logged.some((l) => l.startsWith("capture: dropped the replication slot own_db_slot"))).toBe(
        true,
      );
      expect(over.stats.loaded).toBeGreaterThan(1);
      await over.stop();
    } finally {
      await db.query(
        "SELECT pg_drop_replication_slot('own_db_slot') WHERE EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'own_db_slot' AND NOT active)",
      );
      kinesis.destroy();
    }
  });
});
