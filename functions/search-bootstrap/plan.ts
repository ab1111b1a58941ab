/**
 * What the search bootstrap puts on the domain, as a list of idempotent PUTs (pure):
 *
 * - one index template per routed index, rendered from config/pipeline.yaml (shared/index-templates.ts):
 *   explicit mappings, `index.gc_deletes` covering the DLQ's replay window, shards and replicas per stage.
 *   They exist before the indexer or the DMS task start, so no index is ever created with dynamic
 *   mappings;
 * - two fine-grained-access-control roles on exactly the pipeline's indices, and their mappings to IAM
 *   roles (FGAC backend roles): `cdc_indexer_<stage>` may bulk-write, create the indices its templates
 *   describe and add fields to their mappings; `cdc_operator_<stage>` may read them (verify) and delete
 *   one to rebuild it (reload --rebuild).
 *
 * No lifecycle (ISM) policy: every index here mirrors a table, and a policy that rolls over or deletes
 * (the design documents' 90-day one) would destroy the mirror. The pipeline has no other indices.
 */
import { type IndexSettings, renderIndexTemplates } from "../../shared/index-templates";
import type { PipelineConfig } from "../../shared/pipeline-config";

export type SearchRequest = { method: "PUT"; path: string; body: Record<string, unknown> };

export type SearchBootstrapInput = {
  config: PipelineConfig;
  stage: string;
  index: IndexSettings;
  /** IAM role ARNs mapped to the indexer's FGAC role. */
  indexerRoleArns: string[];
  /** IAM role ARNs of operators (verify), mapped to the read-only FGAC role. */
  operatorRoleArns: string[];
};

/**
 * Bulk writes, index creation by template, new fields of unconfigured columns; and the versions of
 * documents whose records the indexer cannot index (`_mget`, functions/indexer/superseded.ts).
 */
export const INDEXER_INDEX_ACTIONS = [
  "indices:data/write/index",
  "indices:data/write/delete",
  "indices:data/write/update",
  "indices:data/write/bulk[s]",
  "indices:admin/create",
  "indices:admin/mapping/put",
  "indices:data/read/mget*",
];
/** Bulk and mget are cluster permissions in OpenSearch security; the index permissions above limit them. */
export const INDEXER_CLUSTER_ACTIONS = ["indices:data/write/bulk", "indices:data/read/mget"];
/**
 * What `npm run verify` reads (whether an index exists, a refresh, scrolled searches, counts, documents
 * by id, mappings), and the deletion of an index that `npm run reload -- --rebuild` makes before the
 * table's rows are loaded into it again. `HEAD /{index}` is the get-index action.
 */
export const OPERATOR_INDEX_ACTIONS = [
  "indices:admin/get",
  "indices:admin/refresh*",
  "indices:data/read/search*",
  "indices:data/read/get",
  "indices:data/read/mget*",
  "indices:admin/mappings/get",
  "indices:monitor/stats",
  "indices:admin/delete",
];
/**
 * OpenSearch security grants scroll and mget (as bulk) only as cluster permissions: an mget names its
 * indices, which the index permissions above then limit (`indices:data/read/mget[shard]`).
 */
export const OPERATOR_CLUSTER_ACTIONS = [
  "indices:data/read/scroll",
  "indices:data/read/scroll/clear",
  "indices:data/read/mget",
];

export const roleNames = (stage: string) => ({
  indexer: `cdc_indexer_${stage}`,
  operator: `cdc_operator_${stage}`,
});

export function searchBootstrapRequests(input: SearchBootstrapInput): SearchRequest[] {
  const templates = renderIndexTemplates(input.config, input.index);
  const indices = [...new Set(templates.map((t) => t.index))].sort();
  const names = roleNames(input.stage);
  const security = "/_plugins/_security/api";
  return [
    ...templates.map(
      (t): SearchRequest => ({ method: "PUT", path: `/_index_template/${t.name}`, body: t.body }),
    ),
    {
      method: "PUT",
      path: `${security}/roles/${names.indexer}`,
      body: {
        description: `CDC indexer (${input.stage}): bulk writes to the mirror indices`,
        cluster_permissions: INDEXER_CLUSTER_ACTIONS,
        index_permissions: [{ index_patterns: indices, allowed_actions: INDEXER_INDEX_ACTIONS }],
      },
    },
    {
      method: "PUT",
      path: `${security}/rolesmapping/${names.indexer}`,
      body: { backend_roles: input.indexerRoleArns },
    },
    {
      method: "PUT",
      path: `${security}/roles/${names.operator}`,
      body: {
        description: `CDC operators (${input.stage}): read the mirror indices (npm run verify), delete one to rebuild it (npm run reload -- --rebuild)`,
        cluster_permissions: OPERATOR_CLUSTER_ACTIONS,
        index_permissions: [{ index_patterns: indices, allowed_actions: OPERATOR_INDEX_ACTIONS }],
      },
    },
    {
      method: "PUT",
      path: `${security}/rolesmapping/${names.operator}`,
      body: { backend_roles: input.operatorRoleArns },
    },
  ];
}
