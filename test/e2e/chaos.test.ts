/**
 * Chaos on the local stack: the same kind of workload under 429/503 bursts, item rejections, a poison
 * row that hits a mapping conflict, the indexer crashing mid-batch (after applying part of it) and the
 * capture restarted mid-stream. Once the faults stop, the index equals the tables except the poison row,
 * which is in the DLQ with its payload and error. (Against OPENSEARCH_URL the emulator's faults are
 * skipped; the crashes, restarts and the poison row still apply.)
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PermanentFailureMessage } from "../../shared/dead-letters";
import type { Invoke } from "../../tools/local-stack/poller/poller";
import { startTestStack, stopTestStack, verifyStack } from "../helpers/stack";

const chaos = { crashes: 0, active: true, invocations: 0 };

/** The first 6 invocations with several records apply the first half of their batch, then crash. */
const crashingMidBatch =
  (invoke: Invoke): Invoke =>
  async (event, context) => {
    chaos.invocations++;
    if (!chaos.active || chaos.crashes >= 6 || event.Records.length < 2) return invoke(event, context);
    await invoke({ Records: event.Records.slice(0, Math.floor(event.Records.length / 2)) }, context);
    chaos.crashes++;
    throw new Error("injected crash mid-batch");
  };

let t: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  t = await startTestStack({ wrapInvoke: crashingMidBatch });
});
afterAll(() => stopTestStack(t));

describe("the local pipeline under faults", () => {
  it("converges to the tables, with only the poison row in the DLQ", async () => {
    const { db, stack } = t;
    const emulator = stack.emulator?.emulator;
    if (emulator) emulator.faults = { itemRejectionRate: 0.2, failNextRequests: { count: 3, status: 503 } };

    await db.query(
      `INSERT INTO orders (id, status, amount, attributes)
       SELECT g, 'new', g, jsonb_build_object('priority', g % 5) FROM generate_series(1, 400) g`,
    );
    for (let round = 0; round < 20; round++) {
      await db.query("UPDATE orders SET amount = amount + 1, status = $1 WHERE id % 20 = $2", [
        `r${round}`,
        round,
      ]);
      if (round === 5 && emulator) emulator.faults.failNextRequests = { count: 5, status: 429 };
      if (round === 10) await stack.restartCapture();
      if (round % 3 === 0) await db.query("DELETE FROM orders WHERE id = $1", [400 - round]);
      await db.query("INSERT INTO order_items VALUES ($1, 1, 'SKU', 1, 2.5) ON CONFLICT DO NOTHING", [round]);
    }
    // The poison row: attributes.priority was mapped as a number; text cannot be indexed there.
    await db.query(
      `INSERT INTO orders (id, status, amount, attributes) VALUES (5000, 'poison', 1, '{"priority": "urgent"}')`,
    );
    await db.query(
      "INSERT INTO orders (id, status, amount) SELECT g, 'after', g FROM generate_series(5001, 5100) g",
    );
    await stack.restartCapture();
    await db.query("UPDATE orders SET status = 'final' WHERE id BETWEEN 5001 AND 5010");

    expect(await stack.settle(120_000)).toBe(true);
    chaos.active = false;
    if (emulator) emulator.faults = {};
    expect(chaos.crashes).toBeGreaterThan(0);
    expect(stack.poller.stats.functionErrors).toBeGreaterThan(0);

    const report = await verifyStack(stack);
    expect(report.differences.map((d) => [d.kind, d.index, d.id])).toEqual([
      ["missing", stack.pipeline.routingFor("public", "orders").index, "5000"],
    ]);

    const bodies = (await stack.deadLetters()).map((body) => JSON.parse(body) as PermanentFailureMessage);
    expect(bodies).toHaveLength(1);
    const [dead] = bodies as [PermanentFailureMessage];
    expect(dead.error).toMatchObject({ type: "mapper_parsing_exception", status: 400, documentId: "5000" });
    expect(dead.source).toMatchObject({ table: "public.orders", operation: "insert" });
    const payload = JSON.parse(Buffer.from(dead.data as string, "base64").toString("utf8"));
    expect(payload.data).toMatchObject({ id: 5000, status: "poison" });
  });
});
