/** What the local stack says at start about tables whose key or index changed, or that left the config. */
import { expect, it } from "vitest";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { tableHints, tableState } from "../../tools/local-stack/table-changes";

const state = (tables: string) =>
  tableState(
    parsePipelineConfig(
      `tables:\n${tables}\nroutes:\n  - { index: big, table: public.orders, when: { field: n, greaterThan: 9 } }\n`,
      { indexPrefix: "local-" },
    ),
  );

it("says nothing when keys and indices are as they were, or for a table new to the config", () => {
  const before = state("  public.orders: { primaryKey: [id] }");
  expect(tableHints(before, before)).toEqual([]);
  expect(tableHints(before, state("  public.orders: { primaryKey: [id] }\n  public.items: {}"))).toEqual([]);
});

it("names a changed key, a changed index and a table that left the config, each with its repair", () => {
  const before = state("  public.orders: { primaryKey: [id] }\n  public.items: {}\n  public.notes: {}");
  const after = state("  public.orders: { primaryKey: [id, tenant] }\n  public.items: { index: stock }");
  expect(tableHints(before, after)).toEqual([
    "public.orders's key is now [id, tenant] (was [id]): its documents get new ids and the old ones stay; to rebuild its indices: npm run reload -- --rebuild public.orders",
    "public.items now writes to index local-stock (was local-public_items): rows written before are not in it; to fill it: npm run reload -- public.items (local-public_items keeps its documents until deleted)",
    "public.notes is no longer in the routing config: it is not captured, and local-public_notes keeps its documents as they were until deleted",
  ]);
  // The default key, named as such; a table with routes names every index it wrote to.
  expect(tableHints(state("  public.orders: {}"), state("  public.orders: { primaryKey: [code] }"))).toEqual([
    "public.orders's key is now [code] (was the default ([id])): its documents get new ids and the old ones stay; to rebuild its indices: npm run reload -- --rebuild public.orders",
  ]);
  // A table with a route: every index it wrote to.
  const config = (yaml: string) => tableState(parsePipelineConfig(yaml, { indexPrefix: "local-" }));
  const withRoute = config(
    "tables:\n  public.orders: {}\n  public.items: {}\nroutes:\n  - { index: red, table: public.items, when: { field: c, equals: red } }\n",
  );
  expect(tableHints(withRoute, config("tables:\n  public.orders: {}\n"))).toEqual([
    "public.items is no longer in the routing config: it is not captured, and local-public_items, local-red keep its documents as they were until deleted",
  ]);
});
