/**
 * The OpenSearch index templates for every index the routing config writes to (a table's index and its
 * routes'), rendered from `config/pipeline.yaml`. One function, one output: the local stack installs it
 * before indexing starts, and the search-side bootstrap installs the same in AWS. Pure.
 *
 * Why explicit mappings: with dynamic mapping the first value decides a field's type, so a decimal column
 * whose first value is `10` becomes `long`, and OpenSearch then indexes `10.75` as 10 (range queries,
 * sorts and aggregations go wrong while `_source` still shows 10.75). Every declared column gets the
 * mapping of its type; unconfigured JSON numbers map as `double`, never `long` or `float`.
 */
import { type ColumnSpec, indicesOf, type PipelineConfig } from "./pipeline-config";

export type IndexSettings = {
  /**
   * `index.gc_deletes`: how long a delete's tombstone (its version) is kept. A replayed older change after
   * that resurrects the row, so it covers the longest replay: a redrive of the DLQ (14 days' retention).
   */
  gcDeletes: string;
  /** `index.refresh_interval`: added to every change's time to searchable. */
  refreshInterval: string;
  shards: number;
  replicas: number;
};

export const DEFAULT_INDEX_SETTINGS: IndexSettings = {
  gcDeletes: "15d",
  refreshInterval: "1s",
  shards: 1,
  replicas: 1,
};

export type FieldMapping = Record<string, unknown>;
export type IndexTemplate = {
  index_patterns: string[];
  priority: number;
  template: {
    settings: { index: Record<string, string> };
    mappings: {
      dynamic_templates: Record<string, { match_mapping_type: string; mapping: FieldMapping }>[];
      properties: Record<string, FieldMapping>;
    };
  };
  _meta: Record<string, string>;
};
export type RenderedTemplate = { name: string; index: string; table: string; body: IndexTemplate };

/** The format of the timestamps the indexer writes (ISO 8601 UTC, up to microseconds), and only that. */
export const TIMESTAMP_FORMAT = "strict_date_optional_time";

const KEYWORD_SUBFIELD = { keyword: { type: "keyword", ignore_above: 256 } };

export function fieldMapping(spec: ColumnSpec): FieldMapping {
  switch (spec.type) {
    case "string":
      return { type: "text", fields: KEYWORD_SUBFIELD };
    case "number":
      return spec.scale === undefined
        ? { type: "double" }
        : { type: "scaled_float", scaling_factor: 10 ** spec.scale };
    case "integer":
      return { type: "long" };
    case "boolean":
      return { type: "boolean" };
    case "timestamp":
      return { type: "date", format: TIMESTAMP_FORMAT };
    case "json":
      return spec.freeForm ? { type: "flat_object" } : { type: "object" };
    case "array":
      // OpenSearch has no array type: a field holds any number of values of its type.
      return fieldMapping({
        type: spec.of ?? "string",
        ...(spec.scale !== undefined && { scale: spec.scale }),
      });
  }
}

/** Unconfigured columns: JSON numbers as `double` (a first value of 10 must not make the field `long`). */
const DYNAMIC_TEMPLATES: IndexTemplate["template"]["mappings"]["dynamic_templates"] = [
  { whole_numbers_as_double: { match_mapping_type: "long", mapping: { type: "double" } } },
  { fractions_as_double: { match_mapping_type: "double", mapping: { type: "double" } } },
];

export function renderIndexTemplates(
  config: PipelineConfig,
  settings: IndexSettings = DEFAULT_INDEX_SETTINGS,
): RenderedTemplate[] {
  const rendered: RenderedTemplate[] = [];
  for (const routing of config.tables()) {
    const properties = Object.fromEntries(
      Object.entries(routing.columnSpecs).map(([column, spec]) => [column, fieldMapping(spec)]),
    );
    for (const index of indicesOf(routing)) {
      rendered.push({
        name: `cdc-${index}`,
        index,
        table: routing.table,
        body: {
          index_patterns: [index],
          priority: 200,
          template: {
            settings: {
              index: {
                number_of_shards: String(settings.shards),
                number_of_replicas: String(settings.replicas),
                refresh_interval: settings.refreshInterval,
                gc_deletes: settings.gcDeletes,
              },
            },
            mappings: { dynamic_templates: DYNAMIC_TEMPLATES, properties },
          },
          _meta: {
            managed_by: "aurora-cdc-opensearch",
            source: "config/pipeline.yaml",
            table: routing.table,
          },
        },
      });
    }
  }
  return rendered;
}
