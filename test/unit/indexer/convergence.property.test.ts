/**
 * Property: a DMS full-load-and-CDC delivery of a table's history, in any order, with any redelivery and
 * any batching, leaves each document at the table's final state, in the table index and in a filtered
 * route index alike. The delivery is what DMS sends: load records of the rows at the snapshot (stamped
 * when DMS builds them, so later than every commit below), the changes committed after the snapshot
 * (cached during the load), and sometimes the changes before it too (CDC that ran before a reload).
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { processBatch } from "../../../functions/indexer/process-batch";
import { parsePipelineConfig } from "../../../shared/pipeline-config";
import { type ChangeInput, changeRecord } from "../../helpers/dms";
import { recordingLogger, TEST_BATCH_SETTINGS, testContext } from "../../helpers/lambda";
import { inProcessBulkClient, newEmulator } from "../../helpers/search";

const pipeline = parsePipelineConfig(`
tables: {public.orders: {primaryKey: [id], index: orders, columns: {amount: number}}}
routes: [{index: big, table: public.orders, when: {field: amount, greaterThan: 50}}]
`);
const T0 = Date.UTC(2026, 0, 1);

/** A history: a sequence of changes over a few keys, commit times strictly increasing. */
const history = fc
  .array(
    fc.record({
      key: fc.integer({ min: 1, max: 4 }),
      op: fc.constantFrom("insert", "update", "delete"),
      amount: fc.integer({ min: 0, max: 100 }),
      sameTx: fc.boolean(),
    }),
    {
      minLength: 1,
      maxLength: 24,
    },
  )
  .map((steps) => {
    let t = T0;
    let recordId = 1;
    return steps.map((s): ChangeInput => {
      if (s.sameTx) recordId++;
      else {
        t += 1 + (s.amount % 3);
        recordId = 1;
      }
      const row = s.op === "delete" ? { id: s.key, amount: null } : { id: s.key, amount: String(s.amount) };
      return { op: s.op, row, commitMs: t, recordId };
    });
  });

describe("convergence under any delivery order", () => {
  it("ends at the table's final state: the newest change per row, else its snapshot", async () => {
    await fc.assert(
      fc.asyncProperty(
        history,
        fc.nat(),
        fc.boolean(),
        fc.array(fc.nat(), { maxLength: 60 }),
        fc.array(fc.integer({ min: 1, max: 8 }), { minLength: 1, maxLength: 10 }),
        async (history, snapshotPick, deliverBefore, picks, batchSizes) => {
          const at = snapshotPick % (history.length + 1);
          // The rows at the snapshot, as load records built after the last commit of the history.
          const snapshot = new Map<number, ChangeInput>();
          for (const c of history.slice(0, at)) {
            if (c.op === "delete") snapshot.delete(c.row.id as number);
            else snapshot.set(c.row.id as number, c);
          }
          const buildTime = (history.at(-1)?.commitMs ?? T0) + 5_000;
          const loads = [...snapshot.values()].map(
            (c): ChangeInput => ({ op: "load", row: c.row, commitMs: buildTime }),
          );
          const changes = [...loads, ...history.slice(deliverBefore ? 0 : at)];
          // A delivery: every change at least once (as Kinesis guarantees), plus random replays, shuffled.
          const replays = changes.length > 0 ? picks.map((p) => p % changes.length) : [];
          const delivery = [...changes.map((_, i) => i), ...replays];
          const order = delivery
            .map((i, n) => ({ i, sortKey: (picks[n % Math.max(picks.length, 1)] ?? n) * 7919 + n * 31 }))
            .sort((a, b) => a.sortKey - b.sortKey);
          const emulator = newEmulator();
          const deps = {
            search: inProcessBulkClient(emulator),
            sqs: undefined as never,
            pipeline,
            logger: recordingLogger(),
            settings: { ...TEST_BATCH_SETTINGS, dlqUrl: "unused" },
          };
          let n = 0;
          for (let b = 0; n < order.length; b++) {
            const size = batchSizes[b % batchSizes.length] as number;
            const batch = order
              .slice(n, n + size)
              .map(({ i }, k) => changeRecord(changes[i] as ChangeInput, n + k));
            n += size;
            const { response } = await processBatch(batch, testContext(), deps);
            expect(response.batchItemFailures).toEqual([]);
          }
          // Expected: the table's final state (the history is in commit order).
          const final = new Map<number, ChangeInput>();
          for (const c of history) final.set(c.row.id as number, c);
          for (const key of [1, 2, 3, 4]) {
            const c = final.get(key);
            const inTable = emulator.indices.get("orders")?.docs.get(String(key))?.source;
            const inRoute = emulator.indices.get("big")?.docs.get(String(key))?.source;
            if (!c || c.op === "delete") {
              expect(inTable).toBeUndefined();
              expect(inRoute).toBeUndefined();
            } else {
              const expected = { id: key, amount: Number(c.row.amount) };
              expect(inTable).toEqual(expected);
              expect(inRoute).toEqual(expected.amount > 50 ? expected : undefined);
            }
          }
        },
      ),
      { numRuns: Number(process.env.PROPERTY_RUNS ?? 2000) },
    );
  });
});
