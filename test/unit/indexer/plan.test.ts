import { describe, expect, it } from "vitest";
import { type DmsChange, parseDmsMessage } from "../../../functions/indexer/dms-message";
import { type Action, planChange } from "../../../functions/indexer/plan";
import { parsePipelineConfig } from "../../../shared/pipeline-config";
import { type ChangeInput, dmsMessage } from "../../helpers/dms";

const config = parsePipelineConfig(`
tables:
  public.orders: {primaryKey: [id], index: orders, columns: {amount: number}, exclude: [secret]}
routes:
  - {index: big-orders, table: public.orders, when: {field: amount, greaterThan: 100}}
`);
const change = (c: ChangeInput) => parseDmsMessage(JSON.stringify(dmsMessage(c))) as DmsChange;
const plan = (c: ChangeInput) => planChange(change(c), config.routingFor("public", "orders"));
const summary = (actions: Action[]) => actions.map((a) => `${a.op} ${a.index}/${a.id}`);

describe("planChange", () => {
  it("indexes inserts into the table index and matching routes", () => {
    const p = plan({ op: "insert", row: { id: 1, amount: "150", secret: "s" } });
    expect(summary(p.actions)).toEqual(["index orders/1", "index big-orders/1"]);
    expect(p.actions[0]?.doc).toEqual({ id: 1, amount: 150 });
  });
  it("deletes from a route the row stops matching", () => {
    const p = plan({ op: "update", row: { id: 1, amount: "50" } });
    expect(summary(p.actions)).toEqual(["index orders/1", "delete big-orders/1"]);
    expect(p.filtered).toBe(1);
  });
  it("deletes from every index on delete, all with the change's version", () => {
    const p = plan({ op: "delete", row: { id: 1, amount: null } });
    expect(summary(p.actions)).toEqual(["delete orders/1", "delete big-orders/1"]);
    expect(new Set(p.actions.map((a) => a.version)).size).toBe(1);
  });
  it("moves a document whose primary key changed", () => {
    const p = plan({ op: "update", row: { id: 2, amount: "5" }, before: { id: 1 } });
    expect(summary(p.actions)).toEqual([
      "delete orders/1",
      "delete big-orders/1",
      "index orders/2",
      "delete big-orders/2",
    ]);
  });
  it("has nothing to delete for a key no document can have (empty, over 512 bytes); a missing key stays an error", () => {
    for (const id of ["", "x".repeat(600)]) {
      expect(plan({ op: "delete", row: { id, amount: null } })).toEqual({
        actions: [],
        filtered: 0,
        nothingToDelete: true,
      });
      expect(() => plan({ op: "insert", row: { id, amount: "1" } })).toThrow(
        /primary key is empty|512 bytes/,
      );
    }
    expect(() => plan({ op: "delete", row: { id: null, amount: null } })).toThrow(/missing or null/);
  });
  it("indexes a row moved off a key no document can have, deleting nothing for the old key", () => {
    const p = plan({ op: "update", row: { id: 2, amount: "500" }, before: { id: "" } });
    expect(summary(p.actions)).toEqual(["index orders/2", "index big-orders/2"]);
    expect(p.keyChanged).toBeUndefined();
  });
  it("does not move when the before-image carries the same key", () => {
    expect(summary(plan({ op: "update", row: { id: 1, amount: "5" }, before: { id: 1 } }).actions)).toEqual([
      "index orders/1",
      "delete big-orders/1",
    ]);
  });
});
