/**
 * The DMS task's table mappings, generated from the routing config, and their reading. Pure.
 *
 * - one `selection` rule per routed table (`include`): nothing else is captured;
 * - one `remove-column` transformation per excluded column: a secret column (`exclude: [card_number]`)
 *   never leaves the database, so it is in no Kinesis record, no DLQ message and no log line.
 *
 * The DMS task in AWS takes `dmsTableMappings(config)` as its `TableMappings`; the local capture reads the
 * same object through `readTableMappings`, so both capture exactly the same columns.
 */
import type { PipelineConfig } from "./pipeline-config";

type ObjectLocator = { "schema-name": string; "table-name": string; "column-name"?: string };
export type SelectionRule = {
  "rule-type": "selection";
  "rule-id": string;
  "rule-name": string;
  "object-locator": ObjectLocator;
  "rule-action": "include" | "exclude";
};
export type RemoveColumnRule = {
  "rule-type": "transformation";
  "rule-id": string;
  "rule-name": string;
  "rule-target": "column";
  "object-locator": Required<ObjectLocator>;
  "rule-action": "remove-column";
};
export type TableMappings = { rules: (SelectionRule | RemoveColumnRule)[] };

/** DMS rule names: letters, digits and `-`, unique in the task. */
const ruleName = (...parts: string[]) =>
  parts
    .join("-")
    .replace(/[^A-Za-z0-9-]+/g, "-")
    .slice(0, 200);

export function dmsTableMappings(config: PipelineConfig): TableMappings {
  const rules: TableMappings["rules"] = [];
  const id = () => String(rules.length + 1);
  const tables = config.tables();
  for (const routing of tables) {
    const [schema, table] = routing.table.split(".") as [string, string];
    rules.push({
      "rule-type": "selection",
      "rule-id": id(),
      "rule-name": ruleName("include", schema, table),
      "object-locator": { "schema-name": schema, "table-name": table },
      "rule-action": "include",
    });
  }
  for (const routing of tables) {
    const [schema, table] = routing.table.split(".") as [string, string];
    for (const column of [...routing.exclude].sort()) {
      rules.push({
        "rule-type": "transformation",
        "rule-id": id(),
        "rule-name": ruleName("remove", schema, table, column),
        "rule-target": "column",
        "object-locator": { "schema-name": schema, "table-name": table, "column-name": column },
        "rule-action": "remove-column",
      });
    }
  }
  return { rules };
}

/** What a task with these mappings captures: which tables, and which of their columns it removes. */
export type CaptureSelection = {
  /** The tables named by `include` rules (no wildcards). */
  tables: string[];
  includes(schema: string, table: string): boolean;
  removesColumn(schema: string, table: string, column: string): boolean;
};

/** DMS object-locator patterns: `%` matches any run of characters. */
const locator = (pattern: string) =>
  new RegExp(
    `^${pattern
      .split("%")
      .map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );

export function readTableMappings(mappings: TableMappings): CaptureSelection {
  const selections = mappings.rules.filter((r): r is SelectionRule => r["rule-type"] === "selection");
  const removals = mappings.rules.filter((r): r is RemoveColumnRule => r["rule-action"] === "remove-column");
  const matches = (loc: ObjectLocator, schema: string, table: string) =>
    locator(loc["schema-name"]).test(schema) && locator(loc["table-name"]).test(table);
  return {
    tables: selections
      .filter((r) => r["rule-action"] === "include" && !r["object-locator"]["table-name"].includes("%"))
      .map((r) => `${r["object-locator"]["schema-name"]}.${r["object-locator"]["table-name"]}`),
    includes: (schema, table) =>
      selections.some((r) => r["rule-action"] === "include" && matches(r["object-locator"], schema, table)) &&
      !selections.some((r) => r["rule-action"] === "exclude" && matches(r["object-locator"], schema, table)),
    removesColumn: (schema, table, column) =>
      removals.some(
        (r) =>
          matches(r["object-locator"], schema, table) &&
          locator(r["object-locator"]["column-name"]).test(column),
      ),
  };
}
