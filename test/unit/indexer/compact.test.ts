import { describe, expect, it } from "vitest";
import { compact } from "../../../functions/indexer/compact";
import type { Action } from "../../../functions/indexer/plan";

describe("compact", () => {
  it("keeps the newest action per document and folds the records in", () => {
    const a = (id: string, version: bigint, op: "index" | "delete" = "index"): Action => ({
      op,
      index: "i",
      id,
      version,
      doc: {},
    });
    const { actions, compacted } = compact([
      { action: a("1", 5n), record: 0 },
      { action: a("1", 9n, "delete"), record: 1 },
      { action: a("2", 3n), record: 2 },
      { action: a("1", 7n), record: 3 },
    ]);
    expect(compacted).toBe(2);
    expect(actions.map((x) => [x.action.id, x.action.op, x.action.version, x.records])).toEqual([
      ["1", "delete", 9n, [0, 1, 3]],
      ["2", "index", 3n, [2]],
    ]);
  });
  it("resolves ties by batch order", () => {
    const { actions } = compact([
      { action: { op: "index", index: "i", id: "1", version: 5n, doc: { n: 1 } }, record: 0 },
      { action: { op: "index", index: "i", id: "1", version: 5n, doc: { n: 2 } }, record: 1 },
    ]);
    expect(actions[0]?.action.doc).toEqual({ n: 2 });
  });
});
