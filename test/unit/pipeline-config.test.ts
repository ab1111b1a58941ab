import { describe, expect, it } from "vitest";
import bundled from "../../config/pipeline.yaml";
import { parseJsonKeepingDigits } from "../../shared/exact-json";
import { renderIndexTemplates } from "../../shared/index-templates";
import { compileCondition, MAX_REMEMBERED_TABLES, parsePipelineConfig } from "../../shared/pipeline-config";

const ctx = (row: Record<string, unknown>, operation = "insert") => ({
  row,
  operation,
  schema: "public",
  table: "business_events",
});

describe("routing config", () => {
  it("accepts the bundled config", () => {
    const config = parsePipelineConfig(bundled, { indexPrefix: "dev-" });
    const orders = config.routingFor("public", "orders");
    expect(orders.index).toBe("dev-orders");
    expect(orders.exclude.has("card_number")).toBe(true);
    expect(config.routingFor("public", "business_events").routes.map((r) => r.index)).toEqual([
      "dev-loan-created-events",
    ]);
  });

  it("refuses a table whose index name, filled in from its name, OpenSearch would refuse", () => {
    const problem = (yaml: string) => {
      try {
        parsePipelineConfig(yaml);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problem(`tables: {"sales.orders#1": {primaryKey: [id]}}`)).toContain(
      '"sales.orders#1": its index name "sales_orders#1" may not contain',
    );
    expect(problem(`tables: {"sales.a:b": {primaryKey: [id], index: "x_{table}"}}`)).toContain(
      'its index name "x_a:b"',
    );
    expect(problem(`defaults: {index: "{table}"}\ntables: {"s._t": {primaryKey: [id]}}`)).toContain(
      "may not start with - _ +",
    );
    // Named explicitly, or lower-cased from a name OpenSearch takes: fine.
    expect(problem(`tables: {"sales.orders#1": {primaryKey: [id], index: orders-1}}`)).toBe("");
    expect(parsePipelineConfig(`tables: {"Sales.Orders": {primaryKey: [id]}}`).tables()[0]?.index).toBe(
      "sales_orders",
    );
    // Two tables whose filled-in names meet would share an index by accident; said on purpose, fine.
    expect(problem(`tables: {"Sales.Orders": {}, "sales.orders": {}}`)).toContain(
      '"sales.orders": its index name "sales_orders" is also "Sales.Orders"\'s, filled in from their names; give one an `index:`',
    );
    expect(problem(`tables: {"public.a": {index: shared}, "public.b": {index: shared}}`)).toBe("");
    expect(problem(`tables: {"public.a": {}, "public.b": {index: public_a}}`)).toBe("");
  });

  it("names each mistake in a column's type in the person's terms", () => {
    const problem = (spec: string) => {
      try {
        parsePipelineConfig(`tables:\n  public.t:\n    primaryKey: [id]\n    columns:\n      c: ${spec}\n`);
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    const types = "one of string, number, integer, boolean, json, timestamp, array";
    expect(problem("nubmer")).toContain(`tables.public.t.columns.c: unknown type "nubmer": ${types}`);
    expect(problem("{type: nubmer}")).toContain(`unknown type "nubmer": ${types}`);
    expect(problem("{scale: 2}")).toContain(`no type: ${types}`);
    expect(problem("[number]")).toContain("expected a type (string, number");
    expect(problem("{type: number, scale: 10}")).toContain(
      "scale is the number of decimal places kept exactly, a whole number from 0 to 9 (got 10)",
    );
    expect(problem("{type: number, scale: 2.5}")).toContain("a whole number from 0 to 9 (got 2.5)");
    expect(problem("{type: json, freeform: true}")).toContain(
      '"freeform" is not an option of json (it takes freeForm)',
    );
    expect(problem("{type: string, scale: 2}")).toContain(
      '"scale" is not an option of string (it takes none)',
    );
    expect(problem("{type: json, freeForm: yes}")).toContain('freeForm is true or false (got "yes")');
    // What is right stays right.
    for (const spec of ["number", "{type: number}", "{type: number, scale: 0}", "{type: number, scale: 9}"])
      expect(problem(spec)).toBe("");
    expect(problem("{type: json, freeForm: true}")).toBe("");
    expect(problem("{type: array, of: money}")).toContain(
      'of is the type of the array\'s elements, one of string, number, integer, boolean, timestamp (got "money")',
    );
    expect(problem("{type: array, of: json}")).toContain(
      "one of string, number, integer, boolean, timestamp",
    );
    expect(problem("{type: array, scale: 2}")).toContain(
      "scale is an option of arrays of number (this one is of string)",
    );
    expect(problem("{type: string, of: number}")).toContain(
      '"of" is not an option of string (it takes none)',
    );
    for (const spec of ["array", "{type: array, of: integer}", "{type: array, of: number, scale: 2}"])
      expect(problem(spec)).toBe("");
  });

  it("explains a malformed route condition by the form it was meant to have", () => {
    const problem = (when: string) => {
      try {
        parsePipelineConfig(
          `tables: {public.t: {primaryKey: [id]}}\nroutes:\n  - {index: r, table: public.t, when: ${when}}\n`,
        );
        return "";
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problem("{all: {field: a, equals: X}}")).toContain(
      "routes.0.when.all: Invalid input: expected array",
    );
    expect(problem("{field: a, in: X}")).toContain("routes.0.when.in: Invalid input: expected array");
    expect(problem("{any: [{field: a, equals: 1}, {nott: {}}]}")).toContain(
      "routes.0.when.any.1: a condition is {field: <column>, <operator>: <value>}, {all: [<condition>, ...]}, {any: [...]} or {not: <condition>}; found keys nott",
    );
    expect(problem("{not: [{field: a, equals: 1}]}")).toContain("routes.0.when.not: a condition is");
    expect(problem("{not: [{field: a, equals: 1}]}")).toContain("found a list");
    expect(problem("{not: {field: a, equals: 1}}")).toBe("");
  });

  it("reads columns named like Object members as the columns they are", () => {
    const config = parsePipelineConfig(
      `tables:
         public.t:
           primaryKey: [id]
           columns: {__proto__: json, constructor: integer, toString: {type: number, scale: 2}}
           exclude: [valueOf, hasOwnProperty]`,
    );
    const routing = config.routingFor("public", "t");
    expect(Object.entries(routing.columns).sort()).toEqual([
      ["__proto__", "json"],
      ["constructor", "integer"],
      ["toString", "number"],
    ]);
    expect(Object.getPrototypeOf(routing.columns)).toBe(Object.prototype);
    expect([...routing.exclude].sort()).toEqual(["hasOwnProperty", "valueOf"]);
    const [template] = renderIndexTemplates(config);
    if (!template) throw new Error("no template rendered");
    const properties = (template.body.template as { mappings: { properties: object } }).mappings.properties;
    expect(Object.keys(properties)).toEqual(expect.arrayContaining(["__proto__", "constructor", "toString"]));
    expect(() =>
      parsePipelineConfig("tables: {public.t: {columns: {__proto__: json}, exclude: [__proto__]}}"),
    ).toThrow('"__proto__" is both typed in columns and excluded');
  });

  it("remembers a bounded number of tables, the configured ones always", () => {
    const config = parsePipelineConfig("tables: {public.orders: {primaryKey: [id]}}");
    const first = config.routingFor("s", "t0");
    expect(config.routingFor("s", "t0")).toBe(first);
    for (let i = 1; i < MAX_REMEMBERED_TABLES + 10; i++) config.routingFor("s", `t${i}`);
    // Past the bound a table is looked up afresh each time: the same answer, nothing kept.
    const late = config.routingFor("s", "late");
    expect(config.routingFor("s", "late")).not.toBe(late);
    expect(config.routingFor("s", "late")).toEqual(late);
    expect(late.index).toBe("s_late");
    expect(config.routingFor("s", "t0")).toBe(first);
    // Looked up only now, after the bound filled: still remembered.
    expect(config.routingFor("public", "orders")).toBe(config.routingFor("public", "orders"));
  });

  it("gives unconfigured tables the default index and no key", () => {
    const r = parsePipelineConfig("tables: {public.t: {primaryKey: [id]}}").routingFor("Sales", "Leads");
    expect(r).toMatchObject({ index: "sales_leads", primaryKey: undefined, routes: [] });
  });

  it.each([
    ["no tables (an empty file)", "", "no tables: name at least one table to capture"],
    [
      "no tables (misindented)",
      "tables:\npublic.t: {primaryKey: [id]}",
      "no tables: name at least one table",
    ],
    ["empty primary key", "tables: {public.t: {primaryKey: []}}", "primaryKey must name at least one column"],
    [
      "unknown operator",
      "routes: [{index: x, table: public.t, when: {field: a, startsWith: b}}]",
      "startsWith",
    ],
    [
      "two operators",
      "routes: [{index: x, table: public.t, when: {field: a, equals: 1, in: [1]}}]",
      "exactly one operator",
    ],
    ["bad regex", "routes: [{index: x, table: public.t, when: {field: a, matches: '([a-'}}]", "bad regex"],
    ["bad index name", "tables: {public.t: {index: Orders}}", "lower case"],
    ["unknown column type", "tables: {public.t: {columns: {a: money}}}", "a"],
    ["table without schema", "tables: {orders: {}}", "schema.table"],
    ["table name with a comma", "tables: {'public.a,b': {}}", "no spaces, dots or commas inside a name"],
    ["unknown key", "tabels: {}", "tabels"],
  ])("rejects %s with a clear error", (_name, yaml, message) => {
    expect(() => parsePipelineConfig(yaml)).toThrow(
      expect.objectContaining({ code: "config_invalid", message: expect.stringContaining(message) }),
    );
  });
});

describe("conditions", () => {
  const c = compileCondition;
  it.each([
    [{ field: "event_type", equals: "LoanCreated" }, { event_type: "LoanCreated" }, true],
    [{ field: "event_type", equals: "LoanCreated" }, { event_type: "Other" }, false],
    [{ field: "n", in: [1, 2] }, { n: 2 }, true],
    [{ field: "n", notIn: [1, 2] }, { n: 2 }, false],
    [{ field: "n", greaterThan: 10 }, { n: 11 }, true],
    [{ field: "n", greaterThan: 10 }, { n: 10 }, false],
    [{ field: "n", lessThan: 10 }, { n: 9 }, true],
    [{ field: "n", greaterThanOrEqual: 10 }, { n: 10 }, true],
    [{ field: "n", lessThanOrEqual: 10 }, { n: 11 }, false],
    [{ field: "n", between: [1, 3] }, { n: 3 }, true],
    [{ field: "n", between: [1, 3] }, { n: 4 }, false],
    [{ field: "n", greaterThan: 10 }, { n: null }, false],
    [{ field: "s", matches: "^Loan" }, { s: "LoanCreated" }, true],
    [{ field: "s", isNull: true }, {}, true],
    // Fields are the row's own: `constructor` and `toString` absent from the row are null, not Object's.
    [{ field: "constructor", isNull: true }, {}, true],
    [{ field: "a.toString", isNull: true }, { a: {} }, true],
    [{ field: "s", isNotNull: true }, { s: 0 }, true],
    [
      { field: "event_data.eventBody.amount", greaterThan: 100 },
      { event_data: { eventBody: { amount: 500 } } },
      true,
    ],
    [
      {
        all: [
          { field: "a", equals: 1 },
          { field: "b", equals: 2 },
        ],
      },
      { a: 1, b: 3 },
      false,
    ],
    [
      {
        any: [
          { field: "a", equals: 1 },
          { field: "b", equals: 2 },
        ],
      },
      { a: 0, b: 2 },
      true,
    ],
    [{ not: { field: "a", equals: 1 } }, { a: 1 }, false],
    // A list (an array column, a list in a json column) matches when one of its elements does, as an
    // OpenSearch query on the field does.
    [{ field: "tags", equals: "gift" }, { tags: ["standard", "gift"] }, true],
    [{ field: "tags", equals: "gift" }, { tags: ["standard"] }, false],
    [{ field: "tags", equals: "a,b" }, { tags: ["a", "b"] }, false],
    [{ field: "tags", in: ["x", "gift"] }, { tags: [["a"], ["gift"]] }, true],
    [{ field: "tags", notIn: ["gift"] }, { tags: ["standard", "gift"] }, false],
    [{ field: "tags", notIn: ["gift"] }, { tags: ["standard"] }, true],
    [{ field: "tags", notIn: ["gift"] }, { tags: [] }, true],
    [{ field: "n", greaterThan: 10 }, { n: [1, 11] }, true],
    [{ field: "n", greaterThan: 10 }, { n: [1, null] }, false],
    [{ field: "tags", matches: "^gi" }, { tags: ["x", "gift"] }, true],
    [{ field: "tags", matches: "^\\[" }, { tags: ["x"] }, false],
    [{ field: "tags", isNull: true }, { tags: [] }, false],
    [{ field: "a.items.sku", equals: "B" }, { a: { items: [{ sku: "A" }, { sku: "B" }] } }, true],
    [{ field: "a.items.sku", equals: "C" }, { a: { items: [{ sku: "A" }, { other: 1 }] } }, false],
    [{ field: "a.items.sku", isNull: true }, { a: { items: [{ other: 1 }] } }, true],
  ])("%j on %j is %s", (condition, row, expected) => {
    expect(c(condition as never)(ctx(row))).toBe(expected);
  });
  it("matches a json number kept as written (more digits than a double) by its text", () => {
    const row = { event_data: parseJsonKeepingDigits('{"amount": 12345678901234567.891, "n": 5}') };
    expect(c({ field: "event_data.amount", equals: "12345678901234567.891" })(ctx(row as never))).toBe(true);
    expect(c({ field: "event_data.amount", greaterThan: 1e16 })(ctx(row as never))).toBe(true);
    expect(c({ field: "event_data.amount", lessThan: 1e16 })(ctx(row as never))).toBe(false);
    expect(c({ field: "event_data.amount", matches: "\\.891$" })(ctx(row as never))).toBe(true);
    // It is a leaf: nothing is below it.
    expect(c({ field: "event_data.amount.rawJSON", isNull: true })(ctx(row as never))).toBe(true);
    expect(c({ field: "event_data", isNotNull: true })(ctx(row as never))).toBe(true);
  });

  it("addresses metadata with $operation, $schema and $table", () => {
    expect(c({ field: "$operation", in: ["insert", "load"] })(ctx({}, "update"))).toBe(false);
    expect(
      c({
        all: [
          { field: "$schema", equals: "public" },
          { field: "$table", equals: "business_events" },
        ],
      })(ctx({})),
    ).toBe(true);
  });
});

describe("route operators", () => {
  it("docs/routing-config.md lists exactly the operators the config accepts", async () => {
    const { readFileSync } = await import("node:fs");
    const { OPERATOR_NAMES } = await import("../../shared/route-operators");
    const docs = readFileSync("docs/routing-config.md", "utf8");
    const line = /\*\*Conditions\*\*: `([^`]+)`/.exec(docs)?.[1] ?? "";
    const documented = line.split(",").map((s) => s.trim().split(" ")[0]);
    expect(documented).toEqual(OPERATOR_NAMES);
  });
});

it("takes a table named in mixed case, as an ORM names it, and indexes it under a lower-case name", () => {
  const config = parsePipelineConfig("tables: {public.Invoices: {primaryKey: [InvoiceId]}}");
  expect(config.routingFor("public", "Invoices")).toMatchObject({
    table: "public.Invoices",
    index: "public_invoices",
    primaryKey: ["InvoiceId"],
  });
});
