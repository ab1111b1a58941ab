import { describe, expect, it } from "vitest";
import { documentId, primaryKeyColumns } from "../../../functions/indexer/document-id";

describe("documentId", () => {
  it("uses the single key value as text", () => {
    expect(documentId("public.orders", ["id"], { id: 42 })).toBe("42");
    expect(documentId("public.orders", ["id"], { id: "42" })).toBe("42");
  });
  it("encodes composite keys unambiguously in key order", () => {
    expect(documentId("t.t", ["a", "b"], { b: 2, a: 7 })).toBe("7|2");
    const x = documentId("t.t", ["a", "b"], { a: "x|y", b: "z" });
    const y = documentId("t.t", ["a", "b"], { a: "x", b: "y|z" });
    expect(x).not.toBe(y);
    expect(x).toBe("x%7Cy|z");
  });
  it.each([
    ["missing_primary_key", { other: 1 }],
    ["missing_primary_key", { id: null }],
    ["lossy_primary_key", { id: "1.2345678901234567E+18" }],
    ["invalid_primary_key", { id: { nested: 1 } }],
    ["invalid_primary_key", { id: "x".repeat(600) }],
  ])("fails with %s for %j", (code, row) => {
    expect(() => documentId("public.orders", ["id"], row)).toThrow(expect.objectContaining({ code }));
  });
  it("reads key columns from the row's own values: a key named constructor that is missing is missing", () => {
    expect(() => documentId("public.t", ["constructor"], { id: 1 })).toThrow(
      expect.objectContaining({ code: "missing_primary_key" }),
    );
    expect(documentId("public.t", ["constructor"], { constructor: "k" })).toBe("k");
  });
  it("defaults to [id] only when the row has an id column", () => {
    expect(primaryKeyColumns("t.t", undefined, { id: 1 })).toEqual(["id"]);
    expect(primaryKeyColumns("t.t", ["a", "b"], { id: 1 })).toEqual(["a", "b"]);
    expect(() => primaryKeyColumns("t.t", undefined, { code: 1 })).toThrow(
      expect.objectContaining({ code: "no_primary_key" }),
    );
  });
});
