import { describe, expect, it } from "vitest";
import { actionLines, splitEntries, toEntries } from "../../../functions/indexer/bulk-body";
import { classifyItem, classifyRequestError } from "../../../functions/indexer/classify";
import { compact } from "../../../functions/indexer/compact";
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
  it("does not move when the before-image carries the same key", () => {
    expect(summary(plan({ op: "update", row: { id: 1, amount: "5" }, before: { id: 1 } }).actions)).toEqual([
      "index orders/1",
      "delete big-orders/1",
    ]);
  });
});

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

describe("NDJSON bodies", () => {
  it("writes versions exactly, beyond 2^53", () => {
    const line = actionLines({
      op: "delete",
      index: "orders",
      id: 'a"b',
      version: 1_733_000_000_000_000_123n,
    });
    expect(line).toBe(
      '{"delete":{"_index":"orders","_id":"a\\"b","version":1733000000000000123,"version_type":"external_gte"}}\n',
    );
    const index = actionLines({ op: "index", index: "o", id: "1", version: 1n, doc: { x: "é" } });
    expect(index.split("\n")).toEqual([
      '{"index":{"_index":"o","_id":"1","version":1,"version_type":"external_gte"}}',
      '{"x":"é"}',
      "",
    ]);
  });
  it("splits by bytes and by count, an oversized entry alone", () => {
    const entries = toEntries([10, 10, 10, 500, 10], (n) => ({
      op: "index",
      index: "i",
      id: "x",
      version: 1n,
      doc: { p: "x".repeat(n) },
    }));
    const bytes = entries[0]?.bytes ?? 0;
    const chunks = splitEntries(entries, bytes * 2, 100);
    expect(chunks.map((c) => c.length)).toEqual([2, 1, 1, 1]);
    expect(splitEntries(entries, 1e9, 2).map((c) => c.length)).toEqual([2, 2, 1]);
  });
});

describe("classification", () => {
  it.each([
    ["index", { status: 201 }, "applied"],
    ["index", { status: 409, error: { type: "version_conflict_engine_exception" } }, "stale"],
    ["delete", { status: 404 }, "applied"],
    ["index", { status: 404, error: { type: "index_not_found_exception" } }, "permanent"],
    ["index", { status: 429, error: { type: "es_rejected_execution_exception" } }, "retryable"],
    ["index", { status: 503, error: { type: "unavailable_shards_exception" } }, "retryable"],
    ["index", { status: 500, error: { type: "circuit_breaking_exception" } }, "retryable"],
    ["index", { status: 400, error: { type: "circuit_breaking_exception" } }, "retryable"],
    ["index", { status: 400, error: { type: "mapper_parsing_exception" } }, "permanent"],
    ["index", { status: 400, error: { type: "illegal_argument_exception" } }, "permanent"],
    ["index", { status: 400, error: { type: "strict_dynamic_mapping_exception" } }, "permanent"],
    ["index", { status: 413, error: { type: "content_too_long" } }, "permanent"],
  ] as const)("%s item %j is %s", (op, item, kind) => {
    expect(classifyItem(op, item).kind).toBe(kind);
  });
  it.each([
    [{ meta: { statusCode: 413 } }, "split"],
    [{ meta: { statusCode: 400, body: { error: { type: "parse_exception" } } } }, "split"],
    [{ meta: { statusCode: 429 } }, "retryable"],
    [{ meta: { statusCode: 503 } }, "retryable"],
    [{ meta: { statusCode: 403 } }, "retryable"],
    [{ name: "ConnectionError", message: "ECONNREFUSED" }, "retryable"],
    [{ name: "TimeoutError", message: "Request timed out" }, "retryable"],
  ])("request error %j is %s", (error, kind) => {
    expect(classifyRequestError(error).kind).toBe(kind);
  });
});
