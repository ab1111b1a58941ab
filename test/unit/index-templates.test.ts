import { describe, expect, it } from "vitest";
import bundled from "../../config/pipeline.yaml";
import { DEFAULT_INDEX_SETTINGS, renderIndexTemplates } from "../../shared/index-templates";
import { parsePipelineConfig } from "../../shared/pipeline-config";

const render = (yaml: string) => renderIndexTemplates(parsePipelineConfig(yaml, { indexPrefix: "dev-" }));

describe("index templates rendered from the routing config", () => {
  it("gives every routed index (a table's and its routes') one template with exactly its name", () => {
    const templates = renderIndexTemplates(parsePipelineConfig(bundled, { indexPrefix: "dev-" }));
    expect(templates.map((t) => t.index).sort()).toEqual([
      "dev-business_events",
      "dev-customers",
      "dev-loan-created-events",
      "dev-order_items",
      "dev-orders",
    ]);
    for (const t of templates) expect(t.body.index_patterns).toEqual([t.index]);
    expect(new Set(templates.map((t) => t.name)).size).toBe(templates.length);
  });

  it("maps every declared column by its type", () => {
    const [orders] = render(`
tables:
  public.orders:
    columns:
      amount: {type: number, scale: 2}
      rate: number
      qty: integer
      paid: boolean
      at: timestamp
      note: string
      attrs: json
      free: {type: json, freeForm: true}
      tags: array
      prices: {type: array, of: number, scale: 2}
      days: {type: array, of: timestamp}`);
    expect(orders?.body.template.mappings.properties).toEqual({
      amount: { type: "scaled_float", scaling_factor: 100 },
      rate: { type: "double" },
      qty: { type: "long" },
      paid: { type: "boolean" },
      at: { type: "date", format: "strict_date_optional_time" },
      note: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
      attrs: { type: "object" },
      free: { type: "flat_object" },
      // An array maps as its elements: an OpenSearch field holds any number of values.
      tags: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
      prices: { type: "scaled_float", scaling_factor: 100 },
      days: { type: "date", format: "strict_date_optional_time" },
    });
  });

  it("maps unconfigured JSON numbers as double, never long or float", () => {
    const [t] = render("tables: {public.t: {}}");
    const dynamic = t?.body.template.mappings.dynamic_templates.map((d) => Object.values(d)[0]);
    expect(dynamic).toEqual([
      { match_mapping_type: "long", mapping: { type: "double" } },
      { match_mapping_type: "double", mapping: { type: "double" } },
    ]);
  });

  it("carries the settings the pipeline depends on: tombstones kept past the DLQ's 14 days, refresh", () => {
    const [t] = render("tables: {public.t: {}}");
    expect(t?.body.template.settings.index).toEqual({
      number_of_shards: "1",
      number_of_replicas: "1",
      refresh_interval: "1s",
      gc_deletes: "15d",
    });
    expect(DEFAULT_INDEX_SETTINGS.gcDeletes).toBe("15d");
  });

  it("refuses a column both typed and excluded, and a scale on a non-number", () => {
    expect(() => render("tables: {public.t: {columns: {a: number}, exclude: [a]}}")).toThrow(
      /both typed in columns and excluded/,
    );
    expect(() => render("tables: {public.t: {columns: {a: {type: string, scale: 2}}}}")).toThrow();
  });
});
