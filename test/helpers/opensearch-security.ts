/**
 * A model of how OpenSearch's security plugin (fine-grained access control) authorizes the REST requests
 * this project sends, for checking the FGAC roles the search bootstrap installs without a cluster:
 * - a REST request runs transport actions (the action names of OpenSearch's REST handlers and transport
 *   actions: `HEAD /{index}` is RestGetIndicesAction, so `indices:admin/get`; `_mget` is MultiGetAction,
 *   whose shard requests are `indices:data/read/mget[shard]`; `_bulk` runs `indices:data/write/bulk`, its
 *   shard requests `bulk[s]` and each item's index or delete action; a write that creates its index or a
 *   field runs `indices:admin/auto_create` or `auto_put`, which security checks as `indices:admin/create`
 *   and `indices:admin/mapping/put`, its ActionNameMapping);
 * - an action is granted by the role's `cluster_permissions` when the plugin counts it as a cluster
 *   permission (`Utils.isClusterPerm`: `cluster:*`, templates, scroll, bulk, mget, msearch, mtv, reindex),
 *   otherwise by an `index_permissions` entry whose patterns match every index it names;
 * - permissions and index patterns match as the plugin's WildcardMatcher does (`*`, `?`).
 * Only the endpoints the project calls are modelled: any other request throws, naming itself, so a new
 * call a tool makes has to be added here (and granted) before its test passes.
 */

export type RoleBody = {
  cluster_permissions: string[];
  index_permissions: { index_patterns: string[]; allowed_actions: string[] }[];
};

export type Request = { method: string; path: string; body?: string };
export type RequiredAction = { action: string; indices: string[] };

/** Security's `Utils.isClusterPerm`: the actions a role's cluster permissions grant. */
export function isClusterPermission(action: string): boolean {
  return (
    action.startsWith("cluster:") ||
    action.startsWith("indices:admin/template/") ||
    action.startsWith("indices:admin/index_template/") ||
    action.startsWith("indices:data/read/scroll") ||
    action.startsWith("indices:data/read/msearch") ||
    [
      "indices:data/write/bulk",
      "indices:data/read/mget",
      "indices:data/read/mtv",
      "indices:data/write/reindex",
      "indices:data/read/search/template/render",
    ].includes(action)
  );
}

const wildcard = (pattern: string) =>
  new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, ".*")
      .replace(/\?/g, ".")}$`,
  );
const matchesAny = (patterns: string[], value: string) => patterns.some((p) => wildcard(p).test(value));

/** The index-level and cluster-level actions of `_bulk` items (NDJSON action lines). */
function bulkActions(body: string): RequiredAction[] {
  const actions: RequiredAction[] = [{ action: "indices:data/write/bulk", indices: [] }];
  const lines = body.split("\n").filter((l) => l.trim() !== "");
  for (let i = 0; i < lines.length; i++) {
    const line = JSON.parse(lines[i] as string) as Record<string, { _index: string }>;
    const [op, meta] = Object.entries(line)[0] as [string, { _index: string }];
    actions.push({ action: "indices:data/write/bulk[s]", indices: [meta._index] });
    actions.push({
      action: `indices:data/write/${op === "delete" ? "delete" : "index"}`,
      indices: [meta._index],
    });
    // A write may create its index (auto_create, which security checks as create) or add a field to its
    // mapping (auto_put, checked as mapping/put).
    if (op !== "delete")
      actions.push(
        { action: "indices:admin/create", indices: [meta._index] },
        { action: "indices:admin/mapping/put", indices: [meta._index] },
      );
    if (op !== "delete") i++; // the document line
  }
  return actions;
}

/** The transport actions a request runs, with the indices each names. */
export function requiredActions(request: Request): RequiredAction[] {
  const method = request.method.toUpperCase();
  const [path = ""] = request.path.split("?");
  const parts = path.split("/").filter(Boolean).map(decodeURIComponent);
  const indices = (p: string | undefined) => (p ? p.split(",") : []);
  const [first] = parts;
  const is = (m: string[], shape: (string | null)[]) =>
    m.includes(method) &&
    parts.length === shape.length &&
    shape.every((s, i) => s === null || s === parts[i]) &&
    shape.every((s, i) => s !== null || !(parts[i] as string).startsWith("_"));

  if (is(["POST", "PUT"], ["_bulk"])) return bulkActions(request.body ?? "");
  if (is(["GET", "POST"], ["_search", "scroll"]))
    return [{ action: "indices:data/read/scroll", indices: [] }];
  if (is(["DELETE"], ["_search", "scroll"]))
    return [{ action: "indices:data/read/scroll/clear", indices: [] }];
  if (is(["GET", "POST"], [null, "_search"]) || is(["GET", "POST"], [null, "_count"]))
    return [{ action: "indices:data/read/search", indices: indices(first) }];
  if (is(["GET", "POST"], ["_mget"])) {
    const docs = (JSON.parse(request.body ?? "{}") as { docs?: { _index?: string }[] }).docs ?? [];
    return [
      { action: "indices:data/read/mget", indices: [] },
      { action: "indices:data/read/mget[shard]", indices: [...new Set(docs.map((d) => String(d._index)))] },
    ];
  }
  if (is(["GET", "POST"], [null, "_mget"]))
    return [
      { action: "indices:data/read/mget", indices: [] },
      { action: "indices:data/read/mget[shard]", indices: indices(first) },
    ];
  if (is(["POST", "GET"], [null, "_refresh"]))
    return [
      { action: "indices:admin/refresh", indices: indices(first) },
      { action: "indices:admin/refresh[s]", indices: indices(first) },
    ];
  if (is(["HEAD", "GET"], [null])) return [{ action: "indices:admin/get", indices: indices(first) }];
  if (is(["DELETE"], [null])) return [{ action: "indices:admin/delete", indices: indices(first) }];
  if (is(["GET"], [null, "_mapping"]))
    return [{ action: "indices:admin/mappings/get", indices: indices(first) }];
  throw new Error(
    `${method} ${path}: not in the model of OpenSearch security (test/helpers/opensearch-security.ts)`,
  );
}

/** The actions of a request the role does not grant (none: the request is allowed). */
export function refusedActions(role: RoleBody, request: Request): RequiredAction[] {
  return requiredActions(request).filter(({ action, indices }) => {
    if (isClusterPermission(action)) return !matchesAny(role.cluster_permissions, action);
    return !role.index_permissions.some(
      (p) => matchesAny(p.allowed_actions, action) && indices.every((i) => matchesAny(p.index_patterns, i)),
    );
  });
}
