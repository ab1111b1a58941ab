import { describe, expect, it } from "vitest";
import { buildDocument, coerceValue } from "../../../functions/indexer/coerce";
import { toIsoUtc } from "../../../functions/indexer/timestamps";

describe("coerceValue", () => {
  it.each([
    ["json", '{"a":[1,2]}', { a: [1, 2] }],
    ["json", '[{"a":1},null,[{"b":2}]]', [{ a: 1 }, null, [{ b: 2 }]]],
    ["json", "[]", []],
    ["json", { already: true }, { already: true }],
    ["number", "129.90", 129.9],
    ["number", 5, 5],
    ["number", "12345678901234567890", "12345678901234567890"],
    ["number", "10.00", 10],
    ["number", "1234567890123.45", 1234567890123.45],
    ["number", "12345678901234567.89", "12345678901234567.89"],
    ["number", "0.1234567890123456789", "0.1234567890123456789"],
    ["integer", "42", 42],
    ["boolean", "t", true],
    ["boolean", "f", false],
    ["boolean", "true", true],
    ["boolean", false, false],
    ["timestamp", "2026-11-21 09:15:02.123456", "2026-11-21T09:15:02.123456Z"],
    ["timestamp", "2026-11-21 09:20:00+02", "2026-11-21T07:20:00Z"],
    ["timestamp", "2026-11-21T09:15:02Z", "2026-11-21T09:15:02Z"],
    ["timestamp", 0, "1970-01-01T00:00:00.000Z"],
    ["string", 12, "12"],
  ] as const)("%s %j -> %j", (type, value, expected) => {
    expect(coerceValue("c", type, value)).toEqual(expected);
  });

  it("keeps null as null for every type", () => {
    for (const t of ["json", "number", "integer", "boolean", "timestamp", "string"] as const)
      expect(coerceValue("c", t, null)).toBeNull();
  });

  it.each([
    ["json", "{broken"],
    ["number", "twelve"],
    ["number", "1e999"],
    ["integer", "1.5"],
    ["boolean", "maybe"],
    ["timestamp", "yesterday"],
    ["timestamp", "2026-02-30 00:00:00"],
  ] as const)("%s %j fails with coercion_failed naming the column", (type, value) => {
    expect(() => coerceValue("amount", type, value)).toThrow(
      expect.objectContaining({ code: "coercion_failed", message: expect.stringContaining("column amount") }),
    );
  });
});

describe("buildDocument", () => {
  it("keeps every digit of the numbers in a json column", () => {
    const row = { details: '{"amount": 12345678901234567.891, "qty": 2, "rate": 0.25}' };
    expect(JSON.stringify(buildDocument(row, { details: "json" }, new Set()))).toBe(
      '{"details":{"amount":12345678901234567.891,"qty":2,"rate":0.25}}',
    );
  });

  it("removes excluded columns and coerces typed ones, leaving the rest as sent", () => {
    const doc = buildDocument(
      { id: 1, card_number: "4111", amount: "1.5", note: "x" },
      { amount: "number" },
      new Set(["card_number"]),
    );
    expect(doc).toEqual({ id: 1, amount: 1.5, note: "x" });
  });
  it("keeps a column named __proto__ (a valid PostgreSQL name) as a field, not as the prototype", () => {
    const row = JSON.parse('{"id":1,"__proto__":{"polluted":true},"constructor":"c"}') as Record<
      string,
      unknown
    >;
    const doc = buildDocument(row, {}, new Set());
    expect(JSON.stringify(doc)).toBe('{"id":1,"__proto__":{"polluted":true},"constructor":"c"}');
    expect((doc as { polluted?: unknown }).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(doc)).toBe(Object.prototype);
  });
  it("keeps columns named like Object's own methods, typed only when the config types them", () => {
    const row = { id: 1, constructor: "c", valueOf: "v", toString: "t", hasOwnProperty: "h" };
    expect(buildDocument(row, {}, new Set())).toEqual(row);
    expect(buildDocument({ valueOf: "2.5" }, { valueOf: "number" as const }, new Set())).toEqual({
      valueOf: 2.5,
    });
  });
});

describe("array columns (PostgreSQL arrays, which DMS sends as their text)", () => {
  const array = (of: never | undefined, value: unknown) => coerceValue("tags", "array", value, of);
  it.each([
    [undefined, '{gift,"next day",NULL}', ["gift", "next day", null]],
    [undefined, "{}", []],
    [
      "integer",
      "{{1,2},{3,NULL}}",
      [
        [1, 2],
        [3, null],
      ],
    ],
    ["number", "{1.50,12345678901234567.891}", [1.5, "12345678901234567.891"]],
    ["boolean", "{t,f}", [true, false]],
    ["timestamp", '{"2026-11-21 09:15:02.5+00"}', ["2026-11-21T09:15:02.5Z"]],
    ["integer", [1, "2"], [1, 2]],
    ["string", "[0:1]={a,b}", ["a", "b"]],
  ] as const)("of %s: %j -> %j", (of, value, expected) => {
    expect(array(of as never, value)).toEqual(expected);
  });

  it("fails the column naming the element that is not of its type, or the text that is no array", () => {
    expect(() => array("integer" as never, "{1,2,x}")).toThrow(
      'column tags: "{1,2,x}" is not a valid array of integer (element 3: "x")',
    );
    expect(() => array("integer" as never, "{{1},{2.5}}")).toThrow('(element 2: "2.5")');
    expect(() => array(undefined, "gift")).toThrow(
      'column tags: "gift" is not a valid array of string (expected "{" at character 1)',
    );
    expect(() => array(undefined, 5)).toThrow(expect.objectContaining({ code: "coercion_failed" }));
  });

  it("refuses JSON an object field cannot take (a string, a number, a list of them), saying what to do", () => {
    for (const value of ['"just text"', "42", "true", "[1,2]", '[{"a":1},2]', 42, ["a"]])
      expect(() => coerceValue("attributes", "json", value)).toThrow(
        expect.objectContaining({
          code: "coercion_failed",
          message: expect.stringContaining(
            "a json column takes a JSON object or a list of objects, as OpenSearch maps it as an object; leave a column of other JSON undeclared to index its text",
          ),
        }),
      );
    expect(coerceValue("attributes", "json", "null")).toBeNull();
  });

  it("names the array type when a json column holds an array's text", () => {
    expect(() => coerceValue("tags", "json", '{gift,"next day"}')).toThrow(
      "it reads as a PostgreSQL array: declare the column {type: array}",
    );
    expect(() => coerceValue("data", "json", "{broken")).toThrow(
      expect.objectContaining({ message: expect.not.stringContaining("PostgreSQL array") }),
    );
  });

  it("is read by the column's spec in a document", () => {
    const doc = buildDocument(
      { id: 1, tags: "{a,b}", ids: "{7,8}" },
      { tags: { type: "array" }, ids: { type: "array", of: "integer" } },
      new Set(),
    );
    expect(doc).toEqual({ id: 1, tags: ["a", "b"], ids: [7, 8] });
  });
});

describe("toIsoUtc", () => {
  it("rejects text that is not a timestamp", () => expect(toIsoUtc("12:00")).toBeUndefined());
});

describe("values cut at the DMS LOB limit", () => {
  it("refuses a text value that reaches LobMaxSize (it may be truncated), in any column", async () => {
    const { LOB_MAX_BYTES } = await import("../../../shared/dms-settings");
    const at = "é".repeat(LOB_MAX_BYTES / 2);
    expect(() => buildDocument({ note: at }, {}, new Set())).toThrow(
      expect.objectContaining({ code: "lob_truncated" }),
    );
    expect(() =>
      buildDocument({ data: `{"a":"${"x".repeat(LOB_MAX_BYTES)}` }, { data: "json" }, new Set()),
    ).toThrow(expect.objectContaining({ code: "lob_truncated" }));
    const under = "x".repeat(LOB_MAX_BYTES - 1);
    expect(buildDocument({ note: under }, {}, new Set())).toEqual({ note: under });
  });
});
