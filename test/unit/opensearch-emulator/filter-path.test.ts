/** The emulator's `filter_path`, on the shapes OpenSearch documents (bulk items, search hits, nesting). */
import { describe, expect, it } from "vitest";
import { parseJsonKeepingDigits } from "../../../shared/exact-json";
import { applyFilterPath } from "../../../tools/opensearch-emulator/filter-path";

const bulk = {
  took: 3,
  errors: true,
  items: [
    { index: { _index: "o", _id: "1", _version: 1, result: "created", status: 201 } },
    { delete: { _index: "o", _id: "2", status: 404, result: "not_found" } },
    {
      index: {
        _index: "o",
        _id: "3",
        status: 400,
        error: { type: "mapper_parsing_exception", reason: "bad" },
      },
    },
  ],
};

describe("filter_path", () => {
  it("treats a number kept as written (more digits than a double) as the leaf it is", () => {
    const hit = { _source: parseJsonKeepingDigits('{"amount": 12345678901234567.891, "n": 1}') };
    expect(JSON.stringify(applyFilterPath(hit, "_source.**"))).toBe(
      '{"_source":{"amount":12345678901234567.891,"n":1}}',
    );
    expect(JSON.stringify(applyFilterPath(hit, "_source.amount"))).toBe(
      '{"_source":{"amount":12345678901234567.891}}',
    );
    expect(applyFilterPath(hit, "_source.amount.rawJSON")).toEqual({});
    expect(applyFilterPath(hit, "_source.amount.*")).toEqual({});
  });

  it("keeps every bulk item in place with its status, and errors only where there are some", () => {
    expect(applyFilterPath(bulk, "errors,items.*.status,items.*.error")).toEqual({
      errors: true,
      items: [
        { index: { status: 201 } },
        { delete: { status: 404 } },
        { index: { status: 400, error: { type: "mapper_parsing_exception", reason: "bad" } } },
      ],
    });
  });
  it("drops array elements and objects nothing matched, and answers {} when nothing matches at all", () => {
    expect(applyFilterPath(bulk, "items.*.error")).toEqual({
      items: [{ index: { error: { type: "mapper_parsing_exception", reason: "bad" } } }],
    });
    expect(applyFilterPath(bulk, "nothing.here")).toEqual({});
  });
  it("matches * within a key and ** across levels", () => {
    const search = { hits: { total: { value: 2 }, hits: [{ _id: "a", _source: { x: 1 } }] } };
    expect(applyFilterPath(search, "hits.hits._i*")).toEqual({ hits: { hits: [{ _id: "a" }] } });
    expect(applyFilterPath(search, "**.value")).toEqual({ hits: { total: { value: 2 } } });
    expect(applyFilterPath(search, "hits.**")).toEqual(search);
  });
  it("refuses exclusions, which it does not emulate", () => {
    expect(() => applyFilterPath(bulk, "-took")).toThrow(/not supported by the emulator/);
  });
});
