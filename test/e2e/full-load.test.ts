/**
 * A DMS full-load-and-CDC task meeting live writes: the local capture sends a table's load records first,
 * stamped when built, then the changes committed during the load (as DMS does). Changes made while the
 * load runs must win over the snapshot, rows deleted meanwhile must go, and verify must find nothing.
 */
import { describe, expect, it } from "vitest";
import { useTestStack, verifyStack } from "../helpers/stack";

const testStack = useTestStack();

/**
 * A new DMS task (a new replication slot) on a table with rows only a full load delivers: the capture
 * stopped, its slot dropped, then `insert` run while no slot exists.
 */
async function newSlotAfter(insert: string): Promise<void> {
  const { stack, db } = testStack();
  await stack.capture.stop();
  await db.query("SELECT pg_drop_replication_slot($1)", [stack.capture.slotName]);
  await db.query(insert);
}

describe("a full load with writes running", () => {
  it("ends with the table's state: changes committed during the load win, deleted rows are gone", async () => {
    const { stack, db } = testStack();
    await newSlotAfter(
      "INSERT INTO orders (id, status, amount) SELECT g, 'loaded', g / 100.0 FROM generate_series(1, 3000) g",
    );

    // A writer that keeps updating rows all through the load.
    let writing = true;
    let writes = 0;
    const writer = (async () => {
      while (writing) {
        writes++;
        await db.query("UPDATE orders SET status = $1, amount = amount + 0.25 WHERE id = $2", [
          `live-${writes}`,
          1 + ((writes * 37) % 3000),
        ]);
      }
    })();

    // After the first 500 load records: change rows whose load records are still to come.
    await stack.startCapture({
      loadBatchRows: 500,
      onLoadBatch: async (table, sent) => {
        if (table !== "public.orders" || sent !== 500) return;
        await db.query(
          "UPDATE orders SET status = 'during-load', amount = 10.75 WHERE id BETWEEN 2001 AND 2100",
        );
        await db.query("DELETE FROM orders WHERE id BETWEEN 2901 AND 2950");
        await db.query(
          "INSERT INTO orders (id, status, amount) SELECT g, 'new', 1 FROM generate_series(3001, 3010) g",
        );
      },
    });
    writing = false;
    await writer;
    expect(stack.capture.stats.loaded).toBeGreaterThanOrEqual(2950);
    expect(await stack.settle(90_000)).toBe(true);

    const report = await verifyStack(stack);
    expect(report.differences).toEqual([]);
    const index = stack.pipeline.routingFor("public", "orders").index;
    const get = async (id: number) =>
      (await stack.search.get({ index, id: String(id) }, { ignore: [404] })).body as {
        found: boolean;
        _source?: { status: string };
      };
    expect((await get(2925)).found).toBe(false);
    expect((await get(3005)).found).toBe(true);
    const during = (await db.query("SELECT status FROM orders WHERE id = 2050")).rows[0]?.status;
    expect((await get(2050))._source?.status).toBe(during);
    expect(writes).toBeGreaterThan(0);
  });

  it("fails with the reason when the database ends the load's connection between pages, and the next start loads the table whole", async () => {
    const { stack, db } = testStack();
    // Last in the table's order: the load cut short below never reaches them, the next start's must.
    await newSlotAfter(
      "INSERT INTO orders (id, status, amount) SELECT g, 'loaded later', 1 FROM generate_series(5001, 5300) g",
    );
    // After the first page: the load's connection ended by the server (a DBA's pg_terminate_backend, a
    // restart, idle_in_transaction_session_timeout). Before, its error event ended the process.
    await expect(
      stack.startCapture({
        loadBatchRows: 500,
        onLoadBatch: async (table, sent) => {
          if (table !== "public.orders" || sent !== 500) return;
          await db.query(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'FETCH %' AND pid <> pg_backend_pid()",
          );
          await new Promise((resolve) => setTimeout(resolve, 200)); // its FATAL reaches the client, idle
        },
      }),
    ).rejects.toThrow(
      "full load of public.orders stopped: the database ended its connection (terminating connection due to administrator command); npm start again loads the tables whole",
    );
    await stack.capture.stop();

    await stack.startCapture();
    expect(await stack.settle(90_000)).toBe(true);
    expect((await verifyStack(stack)).differences).toEqual([]);
  });
});
