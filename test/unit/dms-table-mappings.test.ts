import { describe, expect, it } from "vitest";
import bundled from "../../config/pipeline.yaml";
import { dmsTableMappings, readTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig } from "../../shared/pipeline-config";

const config = parsePipelineConfig(bundled);

describe("DMS table mappings generated from the routing config", () => {
  const { rules } = dmsTableMappings(config);

  it("selects every routed table, and nothing else", () => {
    const included = rules
      .filter((r) => r["rule-type"] === "selection")
      .map(
        (r) =>
          `${r["object-locator"]["schema-name"]}.${r["object-locator"]["table-name"]}:${r["rule-action"]}`,
      );
    expect(included.sort()).toEqual(
      config
        .tables()
        .map((t) => `${t.table}:include`)
        .sort(),
    );
    expect(included.some((r) => r.includes("%"))).toBe(false);
  });

  it("removes every excluded column at the source, and only those", () => {
    const removed = rules
      .filter((r) => r["rule-action"] === "remove-column")
      .map((r) => {
        const l = r["object-locator"] as Record<string, string>;
        return `${l["schema-name"]}.${l["table-name"]}.${l["column-name"]}`;
      });
    const excluded = config.tables().flatMap((t) => [...t.exclude].map((c) => `${t.table}.${c}`));
    expect(excluded).toContain("public.orders.card_number");
    expect(removed.sort()).toEqual(excluded.sort());
  });

  it("has unique rule ids and names, as DMS requires", () => {
    expect(new Set(rules.map((r) => r["rule-id"])).size).toBe(rules.length);
    expect(new Set(rules.map((r) => r["rule-name"])).size).toBe(rules.length);
  });

  it("reads back as the capture applies it: tables, wildcard locators, excludes, removed columns", () => {
    const selection = readTableMappings({
      rules: [
        ...rules,
        {
          "rule-type": "selection",
          "rule-id": "90",
          "rule-name": "all-audit",
          "object-locator": { "schema-name": "audit", "table-name": "%" },
          "rule-action": "include",
        },
        {
          "rule-type": "selection",
          "rule-id": "91",
          "rule-name": "not-audit-secrets",
          "object-locator": { "schema-name": "audit", "table-name": "secret%" },
          "rule-action": "exclude",
        },
      ],
    });
    expect(selection.tables.sort()).toEqual(
      config
        .tables()
        .map((t) => t.table)
        .sort(),
    );
    expect(selection.includes("audit", "log")).toBe(true);
    expect(selection.includes("audit", "secrets_2026")).toBe(false);
    expect(selection.includes("public", "unrouted")).toBe(false);
    expect(selection.removesColumn("public", "orders", "card_number")).toBe(true);
    expect(selection.removesColumn("public", "orders", "amount")).toBe(false);
    expect(selection.removesColumn("public", "customers", "card_number")).toBe(false);
  });

  it("refuses excluding a primary-key column (the row could not be indexed)", () => {
    expect(() => parsePipelineConfig("tables: {public.t: {primaryKey: [id], exclude: [id]}}")).toThrow(
      /primary-key column and cannot be excluded/,
    );
  });
});
