/** verify's comparison of expected and indexed documents (pure). */
import { describe, expect, it } from "vitest";
import { compareDocuments } from "../../operator/verify/verify";
import { parseJsonKeepingDigits } from "../../shared/exact-json";

const docs = (...entries: [string, Record<string, unknown>][]) => new Map(entries);

describe("compareDocuments", () => {
  it("finds missing, extra and differing documents", () => {
    const differences = compareDocuments(
      "orders",
      docs(["1", { id: 1, status: "new" }], ["2", { id: 2 }]),
      docs(["1", { id: 1, status: "paid" }], ["3", { id: 3 }]),
    );
    expect(differences.map((d) => [d.id, d.kind])).toEqual([
      ["1", "differs"],
      ["2", "missing"],
      ["3", "extra"],
    ]);
  });

  it("takes a null column and a field the document lacks as equal (a column added after the document)", () => {
    const expected = docs(["1", { id: 1, tags: null, note: null }]);
    expect(compareDocuments("orders", expected, docs(["1", { id: 1 }]))).toEqual([]);
    expect(compareDocuments("orders", docs(["1", { id: 1 }]), docs(["1", { id: 1, note: null }]))).toEqual(
      [],
    );
  });

  it("still finds a value the document lacks or has too many, and nulls inside a json value", () => {
    const kinds = (expected: Record<string, unknown>, actual: Record<string, unknown>) =>
      compareDocuments("orders", docs(["1", expected]), docs(["1", actual])).map((d) => d.kind);
    expect(kinds({ id: 1, tags: "{a}" }, { id: 1 })).toEqual(["differs"]);
    expect(kinds({ id: 1 }, { id: 1, tags: "{a}" })).toEqual(["differs"]);
    expect(kinds({ id: 1, attrs: { a: null } }, { id: 1, attrs: {} })).toEqual(["differs"]);
    expect(kinds({ id: 1, tags: null }, { id: 1, tags: "" })).toEqual(["differs"]);
  });

  it("names the fields that differ, as written on both sides", () => {
    const [difference] = compareDocuments(
      "orders",
      docs(["1", { id: 1, status: "paid", note: null, tags: "{a}", big: 1 }]),
      docs([
        "1",
        parseJsonKeepingDigits('{"id": 1, "status": "new", "big": 1, "stray": 9007199254740993}') as Record<
          string,
          unknown
        >,
      ]),
    );
    expect(
      difference?.fields?.map((f) => [f.field, JSON.stringify(f.expected), JSON.stringify(f.actual)]),
    ).toEqual([
      ["status", '"paid"', '"new"'],
      ["tags", '"{a}"', undefined],
      ["stray", undefined, "9007199254740993"],
    ]);
  });

  it("compares numbers as written", () => {
    const differences = compareDocuments(
      "orders",
      docs(["1", parseJsonKeepingDigits('{"id": 1, "n": 9007199254740993}') as Record<string, unknown>]),
      docs(["1", { id: 1, n: 9007199254740992 }]),
    );
    expect(differences.map((d) => d.kind)).toEqual(["differs"]);
  });
});
