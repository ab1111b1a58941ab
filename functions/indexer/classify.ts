/**
 * Classification of bulk outcomes. Per item: 2xx applied; 409 stale (a newer version is already there);
 * 404 on delete applied; 429, es_rejected_execution_exception, circuit_breaking_exception and 5xx
 * retryable; any other 4xx permanent. Per request: 413 and 400 split the request (a single oversized
 * action is permanent); 429, 5xx, 401/403 and transport errors are retryable for every item.
 */
export type ItemOutcome =
  | { kind: "applied"; result: "indexed" | "deleted" | "not_found" }
  | { kind: "stale" }
  | { kind: "retryable"; status: number; type: string; reason: string }
  | { kind: "permanent"; status: number; type: string; reason: string };

/** What classification reads of a bulk response item: all the indexer asks OpenSearch for. */
export type BulkResponseItem = {
  status: number;
  error?: { type?: string; reason?: string; caused_by?: { type?: string; reason?: string } };
};

/**
 * The `filter_path` of every `_bulk` request: the fields of BulkResponseItem, per item (each item keeps its
 * place, as every item has a status). A response of ~25 bytes per item instead of ~150 is less for the
 * cluster to write and for the indexer to read. OpenSearch does not filter error responses.
 */
export const BULK_FILTER_PATH = "errors,items.*.status,items.*.error";

const RETRYABLE_TYPES = new Set([
  "es_rejected_execution_exception",
  "opensearch_rejected_execution_exception",
  "rejected_execution_exception",
  "circuit_breaking_exception",
  "cluster_block_exception",
  "unavailable_shards_exception",
  "process_cluster_event_timeout_exception",
  "node_closed_exception",
]);

// The outcomes without details, shared (one per item would be garbage for every applied action).
const INDEXED: ItemOutcome = Object.freeze({ kind: "applied", result: "indexed" });
const DELETED: ItemOutcome = Object.freeze({ kind: "applied", result: "deleted" });
const NOT_FOUND: ItemOutcome = Object.freeze({ kind: "applied", result: "not_found" });
const STALE: ItemOutcome = Object.freeze({ kind: "stale" });

export function classifyItem(op: "index" | "delete", item: BulkResponseItem): ItemOutcome {
  const { status } = item;
  if (status >= 200 && status < 300) return op === "delete" ? DELETED : INDEXED;
  if (status === 409) return STALE;
  if (status === 404 && op === "delete") return NOT_FOUND;
  const type = item.error?.type ?? `http_${status}`;
  const reason =
    [item.error?.reason, item.error?.caused_by?.reason].filter(Boolean).join(": ") || `status ${status}`;
  if (status === 429 || status >= 500 || RETRYABLE_TYPES.has(type))
    return { kind: "retryable", status, type, reason };
  return { kind: "permanent", status, type, reason };
}

export type RequestOutcome =
  | { kind: "split"; status: number; type: string; reason: string }
  | { kind: "retryable"; status: number; type: string; reason: string };

/** A failure of the whole `_bulk` request (an HTTP error status or a transport error). */
export function classifyRequestError(error: unknown): RequestOutcome {
  const e = error as { name?: string; message?: string; meta?: { statusCode?: number; body?: unknown } };
  const status = e.meta?.statusCode ?? 0;
  const body = e.meta?.body as { error?: { type?: string; reason?: string } | string } | undefined;
  const type =
    typeof body?.error === "object" && body.error?.type
      ? body.error.type
      : status
        ? `http_${status}`
        : (e.name ?? "Error");
  const reason =
    (typeof body?.error === "object"
      ? body.error?.reason
      : typeof body?.error === "string"
        ? body.error
        : undefined) ??
    e.message ??
    String(error);
  if (status === 413 || status === 400) return { kind: "split", status, type, reason };
  return { kind: "retryable", status, type, reason };
}
