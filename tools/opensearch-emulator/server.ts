/**
 * OpenSearch API EMULATOR — development and test tooling only, never deployed.
 *
 * An in-memory HTTP server speaking the part of the OpenSearch REST API this project uses: indices,
 * index templates, `_bulk` with external versioning and delete tombstones, dynamic mapping, `_doc`,
 * `_create`, `_mget`, `_search` (with `scroll`), `_count`, `_refresh`, `_cluster/health`, `_cat`; plus
 * fault injection (`/_emulator/faults`). Like OpenSearch, search and count see only what a refresh has
 * published: each index refreshes every `index.refresh_interval` (1 s by default, `-1` never; an index
 * without an explicit interval that nobody searched for 30 s refreshes on its next search, as a
 * search-idle shard does), on `?refresh=true|wait_for` and on `_refresh`; get and mget are realtime.
 * docs/opensearch-emulator.md measures it against OpenSearch's own REST API tests. Every integration
 * test that runs against it also runs against a real cluster when OPENSEARCH_URL is set.
 */
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { isDeepStrictEqual } from "node:util";
import { JsonTooDeepError, MAX_JSON_DEPTH, parseJsonBothWays } from "../../shared/exact-json";
import { ownValue, setOwn } from "../../shared/own-properties";
import { catRoutes, TextBody } from "./api/cat";
import { clusterRoutes, emulatorControlRoutes } from "./api/cluster";
import { documentRoutes } from "./api/documents";
import { indexRoutes } from "./api/indices";
import { searchRoutes } from "./api/search";
import { securityApiRoutes } from "./api/security";
import { applyFilterPath } from "./filter-path";
import { errorBody, HttpError, queryFlag, toJson, wildcard } from "./http";
import {
  applyDynamicMapping,
  indexedValue,
  MappingError,
  type Mappings,
  normalizeProperties,
  resolveField,
} from "./mapping";
import { EmulatorStore, type JournalEntry } from "./persistence";
import { type Doc, type Indexed, matches, QueryError, sortDocs, sourceValues } from "./query";
import { findRoute, type Reply, type Request, type Route } from "./router";
import { shardOf } from "./routing";
import { durationMs, flatSettings } from "./settings";

/**
 * A document: `source` as JSON.parse reads it (what queries and sorts use) and, when a number in it is
 * written otherwise than JSON.stringify would write it (more digits than a double keeps, `2.0`, `1e3`),
 * `exact` with those numbers as written: `_source` answers are the document's text, as OpenSearch keeps
 * it, and dynamic mapping sees how each number was written (shared/exact-json.ts).
 */
type StoredDoc = {
  source: Record<string, unknown>;
  exact?: Record<string, unknown>;
  version: bigint;
  seqNo: number;
};
type Source = { value: unknown; exact: unknown };

/** A snapshot of an earlier version (the whole state in one value) as the lines of today's. */
function* legacySnapshotLines(state: SavedState): Generator<SnapshotLine> {
  for (const template of state.templates) yield { template };
  for (const role of state.security?.roles ?? []) yield { role };
  for (const rolemapping of state.security?.rolesmapping ?? []) yield { rolemapping };
  for (const { docs, tombstones, ...index } of state.indices) {
    // Snapshots from before uuids have none.
    yield { index: { ...index, uuid: index.uuid ?? randomBytes(16).toString("base64url") } };
    for (const doc of docs) yield { doc: [index.name, ...doc] };
    for (const tombstone of tombstones) yield { tombstone: [index.name, ...tombstone] };
  }
}

const storedDoc = (
  source: Record<string, unknown>,
  version: string,
  seqNo: number,
  exact: string | undefined,
): StoredDoc => ({
  source,
  version: BigInt(version),
  seqNo,
  ...(exact !== undefined && { exact: readSource(exact).exact as Record<string, unknown> }),
});
/** A document's JSON text read both ways (see StoredDoc). */
export const readSource = (text: string): Source => parseJsonBothWays(text, MAX_JSON_DEPTH, "as-written");

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * An update request's body: `doc` (a partial document), `upsert`, `doc_as_upsert`, `detect_noop`; whether
 * it has a `script` (refused: not emulated).
 */
function readUpdate(source: unknown) {
  const body = isPlainObject(source) ? source : {};
  const part = (key: string) => {
    const value = ownValue(body, key);
    return isPlainObject(value) ? value : undefined;
  };
  return {
    doc: part("doc"),
    upsert: part("upsert"),
    script: ownValue(body, "script") !== undefined,
    docAsUpsert: ownValue(body, "doc_as_upsert") === true,
    detectNoop: ownValue(body, "detect_noop") !== false,
  };
}

/**
 * A partial document merged into a source as OpenSearch merges it: objects present on both sides merge
 * field by field, anything else (values, arrays) is replaced. Field names are data (`__proto__` too).
 */
function mergePartial(
  source: Record<string, unknown>,
  partial: Record<string, unknown>,
): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(source)) setOwn(merged, key, value);
  for (const [key, value] of Object.entries(partial)) {
    const current = ownValue(merged, key);
    setOwn(
      merged,
      key,
      isPlainObject(current) && isPlainObject(value) ? mergePartial(current, value) : value,
    );
  }
  return merged;
}

type Tombstone = { version: bigint; at: number };
/** A change not yet published by a refresh (null: a delete), on the shard its id routes to. */
type PendingChange = { id: string; doc: StoredDoc | null; at: number; shard: number };
export type IndexState = {
  name: string;
  /** `index.uuid`: 22 characters of base64url, as OpenSearch's. */
  uuid: string;
  /** Flat settings as OpenSearch keeps them: `index.refresh_interval` → "1s" (strings). */
  settings: Record<string, string>;
  mappings: Mappings;
  dynamic: boolean | "strict";
  /** The live documents: get, mget and versioning read these (realtime). */
  docs: Map<string, StoredDoc>;
  tombstones: Map<string, Tombstone>;
  seqNo: number;
  createdAt: number;
  /** What search and count see: the documents as of the last refresh. */
  searchable: Map<string, StoredDoc>;
  pending: PendingChange[];
  lastRefresh: number;
  lastSearch: number;
};

/** An index's primary shards and replicas per primary (OpenSearch's defaults: 1 and 1). */
const shardsOf = (index: IndexState) => ({
  primaries: Number(index.settings["index.number_of_shards"] ?? 1),
  replicas: Number(index.settings["index.number_of_replicas"] ?? 1),
});

/** An index as `_cat/indices` shows it. */
export type IndexSummary = {
  name: string;
  uuid: string;
  health: "green" | "yellow";
  primaries: number;
  replicas: number;
  /** Documents search sees (as of the last refresh). */
  docs: number;
  /** The JSON bytes of those documents' sources (OpenSearch's store size is its segments'). */
  bytes: number;
  createdAt: number;
};

/** A search-idle shard (no search for 30 s, no explicit refresh_interval) refreshes on its next search. */
const SEARCH_IDLE_MS = 30_000;
/** Document ids longer than this many bytes are refused, as OpenSearch does. */
const MAX_ID_BYTES = 512;
export type Template = {
  index_patterns: string[];
  priority?: number;
  template?: { settings?: Record<string, unknown>; mappings?: Partial<Mappings> & { dynamic?: unknown } };
};

export type Faults = {
  /** Fail the next `count` requests (any endpoint but /_emulator) with this status (429 or 503). */
  failNextRequests?: { count: number; status: number };
  /** Reject this share of bulk items with 429 es_rejected_execution_exception. */
  itemRejectionRate?: number;
  /** Reject the next N bulk items with 429 es_rejected_execution_exception (deterministic). */
  rejectNextItems?: number;
  /** Added to every response. */
  latencyMs?: number;
};

export type EmulatorOptions = {
  port?: number;
  host?: string;
  /** Keep the data in this folder (journal + snapshot), so a restart or kill -9 loses no acknowledged write. */
  dataDir?: string;
  /** http.max_content_length: larger request bodies get 413. */
  maxContentLength?: number;
  /** index.gc_deletes: how long delete tombstones are kept. */
  gcDeletesMs?: number;
  random?: () => number;
};

type SavedIndexMeta = Omit<IndexState, "docs" | "tombstones" | "searchable" | "pending">;
/** id, source, version, seqNo and, for a document with numbers kept exactly, its exact text. */
type SavedDoc = [string, Record<string, unknown>, string, number, string?];
type SavedIndex = SavedIndexMeta & { docs: SavedDoc[]; tombstones: [string, string, number][] };
/** The whole state in one value: the snapshot of earlier versions (persistence.ts reads it as one line). */
type SavedState = {
  indices: SavedIndex[];
  templates: [string, Template][];
  security?: { roles: [string, unknown][]; rolesmapping: [string, unknown][] };
};
/** One line of the snapshot: an index's settings come before its documents and tombstones. */
type SnapshotLine =
  | { template: [string, Template] }
  | { role: [string, unknown] }
  | { rolemapping: [string, unknown] }
  | { index: SavedIndexMeta }
  | { doc: [index: string, ...SavedDoc] }
  | { tombstone: [index: string, id: string, version: string, at: number] }
  | { state: SavedState };

/** Requests that change indices, documents or templates (searches, reads and refreshes do not). */
function changesState(method: string, url: URL): boolean {
  if (method === "GET" || method === "HEAD") return false;
  const parts = url.pathname.split("/").filter(Boolean);
  if (parts[0] === "_emulator") return parts[1] === "reset";
  return !parts.some((p) => ["_search", "_count", "_refresh", "_mget", "_mapping"].includes(p));
}

/** Parses a bulk action line keeping `version` exact (it is a 64-bit long). */
function parseActionLine(line: string): Record<string, Record<string, unknown>> {
  return JSON.parse(line, (key, value, context?: { source?: string }) =>
    key === "version" && typeof value === "number" && context?.source ? BigInt(context.source) : value,
  );
}

export type SearchOptions = {
  countOnly?: boolean;
  scroll?: string | null;
  restTotalHitsAsInt?: boolean;
  size?: number;
  from?: number;
  sort?: unknown;
  trackTotalHits?: boolean | number;
  requestCache?: boolean;
  /** URI search (`q=field:value`), turned into a query. */
  q?: string;
  /** `ignore_unavailable`: missing concrete indices are left out instead of a 404. */
  ignoreUnavailable?: boolean;
};

/** The top-level keys of a search body the emulator answers; others OpenSearch knows are refused. */
const SEARCH_KEYS = new Set([
  "query",
  "size",
  "from",
  "sort",
  "_source",
  "track_total_hits",
  "version",
  "timeout",
  "seq_no_primary_term",
]);
const UNSUPPORTED_SEARCH_KEYS = new Set([
  "aggs",
  "aggregations",
  "highlight",
  "post_filter",
  "search_after",
  "collapse",
  "suggest",
  "rescore",
  "script_fields",
  "docvalue_fields",
  "stored_fields",
  "min_score",
  "explain",
  "indices_boost",
  "pit",
  "slice",
  "fields",
  "profile",
  "terminate_after",
  "stats",
  "ext",
]);

/** Validates a search body (as OpenSearch parses it) and returns its query. */
function checkSearchBody(
  body: Record<string, unknown>,
  options: SearchOptions,
): Record<string, unknown> | undefined {
  for (const [key, value] of Object.entries(body)) {
    if (SEARCH_KEYS.has(key)) continue;
    if (UNSUPPORTED_SEARCH_KEYS.has(key))
      throw new HttpError(
        400,
        "illegal_argument_exception",
        `search [${key}] is not supported by the emulator`,
      );
    const token =
      value !== null && typeof value === "object"
        ? Array.isArray(value)
          ? "START_ARRAY"
          : "START_OBJECT"
        : "VALUE";
    throw new HttpError(400, "parsing_exception", `Unknown key for a ${token} in [${key}].`);
  }
  const size = Number(body.size ?? options.size ?? 10);
  if (options.scroll) {
    if (size === 0)
      throw new HttpError(400, "illegal_argument_exception", "[size] cannot be [0] in a scroll context");
    if (options.requestCache)
      throw new HttpError(
        400,
        "illegal_argument_exception",
        "[request_cache] cannot be used in a scroll context",
      );
  }
  if (options.q !== undefined) {
    if (body.query !== undefined)
      throw new HttpError(400, "illegal_argument_exception", "q and a query in the body cannot be combined");
    return uriQuery(options.q);
  }
  return body.query as Record<string, unknown> | undefined;
}

/** `q=`: `*` or `field:value`; more of the query-string syntax is not emulated (400). */
function uriQuery(q: string): Record<string, unknown> {
  const text = q.trim();
  if (text === "*" || text === "*:*") return { match_all: {} };
  const m = /^([\w.@-]+):("?)([^"\s]+)\2$/.exec(text);
  if (m) return { match: { [m[1] as string]: m[3] } };
  throw new HttpError(
    400,
    "illegal_argument_exception",
    `q=${q}: only * and field:value are supported by the emulator`,
  );
}

/** The sort values of a hit, as OpenSearch returns them in `sort`. */
function sortValues(doc: Doc, sort: unknown, values: Indexed): unknown[] {
  return [sort]
    .flat()
    .map((s) => (typeof s === "string" ? s : Object.keys(s as object)[0]))
    .map((field) => (field === "_id" ? doc.id : (values(doc.source, String(field))[0] ?? null)));
}

export class OpenSearchEmulator {
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, Template>();
  /** The security plugin's roles and role mappings (stored and returned, not enforced). */
  readonly security = { roles: new Map<string, unknown>(), rolesmapping: new Map<string, unknown>() };
  faults: Faults = {};
  requestCount = 0;
  private readonly scrolls = new Map<string, { next(asInt: boolean): Record<string, unknown> }>();
  private scrollCounter = 0;
  private readonly options: Required<Omit<EmulatorOptions, "port" | "host" | "dataDir">>;
  private readonly store: EmulatorStore | undefined;
  private readonly routes: Route[] = [
    ...clusterRoutes(this),
    ...catRoutes(this),
    ...indexRoutes(this),
    ...documentRoutes(this),
    ...searchRoutes(this),
    ...securityApiRoutes(this),
  ];
  private replaying = false;
  /** The applied part of the bulk request being handled, for the journal. */
  private appliedBulk: string[] | undefined;

  constructor(options: EmulatorOptions = {}) {
    this.options = {
      maxContentLength: options.maxContentLength ?? 100 * 1024 * 1024,
      gcDeletesMs: options.gcDeletesMs ?? 60_000,
      random: options.random ?? Math.random,
    };
    if (options.dataDir) {
      this.store = new EmulatorStore(options.dataDir);
      const { snapshot, entries } = this.store.load();
      if (snapshot) this.restoreLines(snapshot);
      this.replaying = true;
      try {
        for (const e of entries) this.route(e.method, new URL(e.path, "http://emulator"), e.body);
      } finally {
        this.replaying = false;
      }
      for (const index of this.indices.values()) this.refreshIndex(index);
    }
  }

  /** Every template, role, index and document, one snapshot line each, made as they are written. */
  private *snapshotLines(): Generator<SnapshotLine> {
    for (const template of this.templates) yield { template };
    for (const role of this.security.roles) yield { role };
    for (const rolemapping of this.security.rolesmapping) yield { rolemapping };
    for (const { searchable: _s, pending: _p, docs, tombstones, ...index } of this.indices.values()) {
      yield { index };
      for (const [id, d] of docs)
        yield {
          doc: d.exact
            ? [index.name, id, d.source, String(d.version), d.seqNo, toJson(d.exact)]
            : [index.name, id, d.source, String(d.version), d.seqNo],
        };
      for (const [id, t] of tombstones) yield { tombstone: [index.name, id, String(t.version), t.at] };
    }
  }

  private restoreLines(lines: Iterable<unknown>): void {
    const restored: IndexState[] = [];
    for (const line of lines as Iterable<SnapshotLine>) {
      if ("state" in line) this.restoreLines(legacySnapshotLines(line.state));
      else if ("template" in line) this.templates.set(...line.template);
      else if ("role" in line) this.security.roles.set(...line.role);
      else if ("rolemapping" in line) this.security.rolesmapping.set(...line.rolemapping);
      else if ("index" in line) {
        const index: IndexState = {
          ...line.index,
          docs: new Map(),
          tombstones: new Map(),
          searchable: new Map(),
          pending: [],
          lastRefresh: Date.now(),
          lastSearch: Date.now(),
        };
        this.indices.set(index.name, index);
        restored.push(index);
      } else if ("doc" in line) {
        const [name, id, source, version, seqNo, exact] = line.doc;
        this.indices.get(name)?.docs.set(id, storedDoc(source, version, seqNo, exact));
      } else if ("tombstone" in line) {
        const [name, id, version, at] = line.tombstone;
        this.indices.get(name)?.tombstones.set(id, { version: BigInt(version), at });
      }
    }
    // A restarted node has refreshed everything it recovered.
    for (const index of restored) index.searchable = new Map(index.docs);
  }

  /** Live documents in every index (all kept in memory). */
  documentCount(): number {
    let count = 0;
    for (const index of this.indices.values()) count += index.docs.size;
    return count;
  }

  /** Writes a snapshot and drops the journal (on a clean stop; a kill relies on the journal). */
  persist(): void {
    this.store?.compact(this.snapshotLines());
  }

  reset(): void {
    this.indices.clear();
    this.templates.clear();
    this.security.roles.clear();
    this.security.rolesmapping.clear();
    this.faults = {};
  }

  createIndex(
    name: string,
    body: { settings?: Record<string, unknown>; mappings?: Partial<Mappings> & { dynamic?: unknown } } = {},
  ): IndexState {
    const invalid =
      name !== name.toLowerCase()
        ? "must be lowercase"
        : /[\\/*?"<>| ,#:]/.test(name)
          ? 'must not contain the following characters [ , ", *, \\, <, |, ,, >, /, ?, #, :]'
          : /^[-_+]/.test(name)
            ? "must not start with '_', '-', or '+'"
            : name === "." || name === ".." || Buffer.byteLength(name) > 255
              ? "must not be '.', '..' or longer than 255 bytes"
              : undefined;
    if (invalid)
      throw new HttpError(400, "invalid_index_name_exception", `Invalid index name [${name}], ${invalid}`);
    const matching = [...this.templates.values()]
      .filter((t) => t.index_patterns.some((p) => wildcard(p).test(name)))
      .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    const aliases = [body, ...matching.map((t) => t.template ?? {})].some(
      (source) => Object.keys((source as { aliases?: object }).aliases ?? {}).length > 0,
    );
    if (aliases)
      throw new HttpError(400, "illegal_argument_exception", "aliases are not supported by the emulator");
    const settings: Record<string, string> = {};
    const mappings: Mappings = { properties: {} };
    let dynamic: boolean | "strict" = true;
    for (const source of [...matching.map((t) => t.template ?? {}), body]) {
      Object.assign(settings, flatSettings(source.settings ?? {}));
      for (const [field, mapping] of Object.entries(normalizeProperties(source.mappings?.properties ?? {})))
        setOwn(mappings.properties, field, mapping);
      const dynamicTemplates = source.mappings?.dynamic_templates;
      if (dynamicTemplates)
        mappings.dynamic_templates = [...(mappings.dynamic_templates ?? []), ...dynamicTemplates];
      const d = source.mappings?.dynamic;
      if (d !== undefined) dynamic = d === "strict" ? "strict" : !(d === false || d === "false");
    }
    const index: IndexState = {
      name,
      settings,
      mappings,
      dynamic,
      docs: new Map(),
      tombstones: new Map(),
      seqNo: 0,
      uuid: randomBytes(16).toString("base64url"),
      createdAt: Date.now(),
      searchable: new Map(),
      pending: [],
      lastRefresh: Date.now(),
      lastSearch: Date.now(),
    };
    this.indices.set(name, index);
    return index;
  }

  /** Shards of an index (primaries and replicas), as `_shards` counts them on a one-node cluster. */
  shardCounts(index: IndexState): { total: number; successful: number; failed: number } {
    const { primaries, replicas } = shardsOf(index);
    return { total: primaries * (1 + replicas), successful: primaries, failed: 0 };
  }

  /**
   * What `_cat/indices` shows of an index: its documents as search sees them now, and its health on this
   * one-node cluster (replicas cannot be assigned: yellow when it asks for any).
   */
  summary(index: IndexState): IndexSummary {
    this.settle(index, Date.now(), false);
    const { primaries, replicas } = shardsOf(index);
    let bytes = 0;
    for (const d of index.searchable.values()) bytes += Buffer.byteLength(toJson(d.exact ?? d.source));
    return {
      name: index.name,
      uuid: index.uuid,
      health: replicas > 0 ? "yellow" : "green",
      primaries,
      replicas,
      docs: index.searchable.size,
      bytes,
      createdAt: index.createdAt,
    };
  }

  /** `_cluster/health` of this one node: replica shards stay unassigned (yellow), as on a one-node cluster. */
  clusterHealth() {
    let primaries = 0;
    let unassigned = 0;
    for (const index of this.indices.values()) {
      const shards = shardsOf(index);
      primaries += shards.primaries;
      unassigned += shards.primaries * shards.replicas;
    }
    const total = primaries + unassigned;
    return {
      cluster_name: "opensearch-emulator",
      status: unassigned > 0 ? ("yellow" as const) : ("green" as const),
      timed_out: false,
      number_of_nodes: 1,
      number_of_data_nodes: 1,
      discovered_master: true,
      discovered_cluster_manager: true,
      active_primary_shards: primaries,
      active_shards: primaries,
      relocating_shards: 0,
      initializing_shards: 0,
      unassigned_shards: unassigned,
      delayed_unassigned_shards: 0,
      number_of_pending_tasks: 0,
      number_of_in_flight_fetch: 0,
      task_max_waiting_in_queue_millis: 0,
      active_shards_percent_as_number: total === 0 ? 100 : (100 * primaries) / total,
    };
  }

  /** Records a change of the live documents for the next refresh to publish. */
  private stage(index: IndexState, id: string, doc: StoredDoc | null): void {
    index.pending.push({ id, doc, at: Date.now(), shard: this.shardOf(index, id) });
  }

  /** The primary shard a document id routes to. */
  shardOf(index: IndexState, id: string): number {
    const shards = shardsOf(index).primaries;
    const routing = index.settings["index.number_of_routing_shards"];
    return shards === 1 ? 0 : shardOf(id, shards, routing === undefined ? undefined : Number(routing));
  }

  /** Publishes pending changes to search: every shard's (a refresh), or only those of the given shards. */
  refreshIndex(index: IndexState, shards?: Set<number>): void {
    if (!shards) {
      this.publish(index, index.pending.length);
      index.lastRefresh = Date.now();
      return;
    }
    const kept: PendingChange[] = [];
    for (const change of index.pending) {
      if (!shards.has(change.shard)) kept.push(change);
      else if (change.doc) index.searchable.set(change.id, change.doc);
      else index.searchable.delete(change.id);
    }
    index.pending = kept;
  }

  private publish(index: IndexState, count: number): void {
    for (const change of index.pending.splice(0, count)) {
      if (change.doc) index.searchable.set(change.id, change.doc);
      else index.searchable.delete(change.id);
    }
  }

  /**
   * Brings an index's searchable view to what OpenSearch would show now: the scheduled refreshes since
   * the last one (every refresh_interval), or, for a search-idle index, a refresh on this search.
   */
  private settle(index: IndexState, now: number, searching: boolean): void {
    const explicit = index.settings["index.refresh_interval"];
    const interval = explicit === undefined ? 1000 : explicit === "-1" ? -1 : durationMs(explicit);
    if (searching && explicit === undefined && now - index.lastSearch >= SEARCH_IDLE_MS) {
      this.refreshIndex(index);
    } else if (interval > 0 && now - index.lastRefresh >= interval) {
      const tick = index.lastRefresh + Math.floor((now - index.lastRefresh) / interval) * interval;
      const due = index.pending.findIndex((c) => c.at > tick);
      this.publish(index, due === -1 ? index.pending.length : due);
      index.lastRefresh = tick;
    }
    if (searching) index.lastSearch = now;
  }

  /** The indices a name, a list, `_all` or a wildcard pattern names (missing concrete names: 404). */
  resolveIndices(expression: string | undefined, options: { ignoreMissing?: boolean } = {}): IndexState[] {
    const names = (expression ?? "_all").split(",").filter(Boolean);
    if (names.length === 0) names.push("_all");
    const found = new Map<string, IndexState>();
    for (const name of names) {
      if (name === "_all" || name === "*") {
        for (const i of this.indices.values()) found.set(i.name, i);
      } else if (name.includes("*")) {
        for (const i of this.indices.values()) if (wildcard(name).test(i.name)) found.set(i.name, i);
      } else {
        const index = this.indices.get(name);
        if (index) found.set(name, index);
        else if (!options.ignoreMissing)
          throw new HttpError(404, "index_not_found_exception", `no such index [${name}]`);
      }
    }
    return [...found.values()];
  }

  /** `_refresh`: publishes every change of the named indices; `_shards` as OpenSearch counts them. */
  refresh(expression?: string, options: { ignoreMissing?: boolean } = {}): Record<string, unknown> {
    const shards = { total: 0, successful: 0, failed: 0 };
    for (const index of this.resolveIndices(expression, options)) {
      this.refreshIndex(index);
      const counts = this.shardCounts(index);
      shards.total += counts.total;
      shards.successful += counts.successful;
    }
    return { _shards: shards };
  }

  /** One document, realtime (the live copy) unless `realtime=false` (the searchable one). */
  getDocument(
    indexName: string,
    id: string,
    options: { realtime?: boolean; refresh?: boolean; version?: bigint },
  ): [number, Record<string, unknown>] {
    const index = this.getIndex(indexName);
    if (options.refresh) this.refreshIndex(index);
    else this.settle(index, Date.now(), false);
    const d = options.realtime === false ? index.searchable.get(id) : index.docs.get(id);
    if (!d) return [404, { _index: indexName, _id: id, found: false }];
    if (options.version !== undefined && options.version !== d.version)
      return [
        409,
        errorBody(
          409,
          "version_conflict_engine_exception",
          `[${id}]: version conflict, current version [${d.version}] is different than the one provided [${options.version}]`,
          indexName,
        ),
      ];
    return [
      200,
      {
        _index: indexName,
        _id: id,
        _version: d.version,
        _seq_no: d.seqNo,
        _primary_term: 1,
        found: true,
        _source: d.exact ?? d.source,
      },
    ];
  }

  getIndex(name: string, autoCreate = false): IndexState {
    const found = this.indices.get(name);
    if (found) return found;
    if (autoCreate) return this.createIndex(name);
    throw new HttpError(404, "index_not_found_exception", `no such index [${name}]`);
  }

  /** The index's mapping limits (OpenSearch's defaults: 1000 fields, objects 20 levels deep). */
  private mappingLimits(index: IndexState): { totalFieldsLimit: number; depthLimit: number } {
    return {
      totalFieldsLimit: Number(index.settings["index.mapping.total_fields.limit"] ?? 1000),
      depthLimit: Number(index.settings["index.mapping.depth.limit"] ?? 20),
    };
  }

  /** index.gc_deletes of the index, else the emulator's default. */
  private gcDeletesMs(index: IndexState): number {
    const value = index.settings["index.gc_deletes"];
    return value === undefined ? this.options.gcDeletesMs : durationMs(value);
  }

  private liveTombstone(index: IndexState, id: string): Tombstone | undefined {
    const t = index.tombstones.get(id);
    if (t && Date.now() - t.at >= this.gcDeletesMs(index)) {
      index.tombstones.delete(id);
      return undefined;
    }
    return t;
  }

  /** One bulk item; returns the response item (status inside). */
  bulkItem(op: string, meta: Record<string, unknown>, read: Source | undefined): Record<string, unknown> {
    const source = read?.value as Record<string, unknown> | undefined;
    const exact = read?.exact !== read?.value ? (read?.exact as Record<string, unknown>) : undefined;
    const indexName = String(meta._index ?? "");
    if (meta._id === "")
      return {
        _index: indexName,
        _id: "",
        status: 400,
        error: {
          type: "illegal_argument_exception",
          reason: "if _id is specified it must not be empty",
          index: indexName,
        },
      };
    if (meta._id === undefined || meta._id === null) meta._id = crypto.randomUUID(); // kept in the journal's copy
    const id = String(meta._id);
    const base = { _index: indexName, _id: id };
    if (Buffer.byteLength(id) > MAX_ID_BYTES)
      return {
        ...base,
        status: 400,
        error: {
          type: "illegal_argument_exception",
          reason: `id [${id}] is too long, must be no longer than 512 bytes but was: ${Buffer.byteLength(id)}`,
          index: indexName,
        },
      };
    const fail = (status: number, type: string, reason: string) => ({
      ...base,
      status,
      error: { type, reason, index: indexName },
    });
    try {
      if (!this.replaying && this.faults.rejectNextItems && this.faults.rejectNextItems > 0) {
        this.faults.rejectNextItems--;
        return fail(
          429,
          "es_rejected_execution_exception",
          "rejected execution of coordinating operation (emulated)",
        );
      }
      if (
        !this.replaying &&
        this.faults.itemRejectionRate &&
        this.options.random() < this.faults.itemRejectionRate
      ) {
        return fail(
          429,
          "es_rejected_execution_exception",
          "rejected execution of coordinating operation (emulated)",
        );
      }
      const versionType = String(meta.version_type ?? "internal");
      const external = versionType === "external" || versionType === "external_gte";
      // As OpenSearch does: bulk auto-creates the index for every write (an update too, even one that
      // finds no document) except a delete, unless it is externally versioned (its tombstone is kept).
      const index = this.getIndex(indexName, op !== "delete" || external);
      const version = meta.version === undefined ? undefined : BigInt(meta.version as bigint);
      if (external && version === undefined)
        return fail(
          400,
          "action_request_validation_exception",
          "version is required for external versioning",
        );
      const existing = index.docs.get(id);
      const tomb = existing ? undefined : this.liveTombstone(index, id);
      const current = existing?.version ?? tomb?.version;
      const conflict = () =>
        fail(
          409,
          "version_conflict_engine_exception",
          `[${id}]: version conflict, current version [${current}] is higher or equal to the one provided [${version}]`,
        );
      const stale =
        external &&
        version !== undefined &&
        current !== undefined &&
        (versionType === "external" ? version <= current : version < current);
      // A document to index is parsed first (below), as OpenSearch's shard does before its engine
      // compares versions.
      if (stale && op !== "index" && op !== "create") return conflict();
      const nextVersion = external ? (version as bigint) : (existing?.version ?? 0n) + 1n;
      switch (op) {
        case "index":
        case "create": {
          if (!source || typeof source !== "object" || Array.isArray(source))
            return fail(400, "mapper_parsing_exception", "failed to parse, document is empty");
          // OpenSearch parses the document, and applies the mapping update it makes, before the engine
          // compares versions (IndexShard.applyIndexOperation): a stale document with a value its mapping
          // refuses is refused for that value, and a stale one with a new field still maps the field.
          index.mappings = applyDynamicMapping(
            index.mappings,
            source,
            { dynamic: index.dynamic, ...this.mappingLimits(index) },
            exact,
          );
          if (stale) return conflict();
          if (op === "create" && existing)
            return fail(
              409,
              "version_conflict_engine_exception",
              `[${id}]: version conflict, document already exists`,
            );
          const stored = { source, ...(exact && { exact }), version: nextVersion, seqNo: index.seqNo++ };
          index.docs.set(id, stored);
          this.stage(index, id, stored);
          index.tombstones.delete(id);
          return {
            ...base,
            _version: nextVersion,
            result: existing ? "updated" : "created",
            _shards: this.shardCounts(index),
            _seq_no: stored.seqNo,
            _primary_term: 1,
            status: existing ? 200 : 201,
          };
        }
        case "update": {
          const request = readUpdate(source);
          if (request.script)
            return fail(
              400,
              "illegal_argument_exception",
              "scripted updates are not supported by the emulator",
            );
          if (!existing) {
            // A missing document is created from `upsert`, or from `doc` with `doc_as_upsert`.
            const created = request.docAsUpsert ? request.doc : request.upsert;
            if (!created) return fail(404, "document_missing_exception", `[${id}]: document missing`);
            index.mappings = applyDynamicMapping(index.mappings, created, {
              dynamic: index.dynamic,
              ...this.mappingLimits(index),
            });
            const stored = { source: created, version: nextVersion, seqNo: index.seqNo++ };
            index.docs.set(id, stored);
            this.stage(index, id, stored);
            index.tombstones.delete(id);
            return {
              ...base,
              _version: stored.version,
              result: "created",
              _shards: this.shardCounts(index),
              _seq_no: stored.seqNo,
              _primary_term: 1,
              status: 201,
            };
          }
          if (!request.doc)
            return fail(
              400,
              "action_request_validation_exception",
              "Validation Failed: 1: script or doc is missing;",
            );
          // OpenSearch merges a partial update into the source read as Java values and writes that out:
          // numbers are no longer as written, so the merged document keeps no exact text.
          const doc = mergePartial(existing.source, request.doc);
          // An update that changes nothing is a no-op (detect_noop, on by default): no new version.
          if (request.detectNoop && isDeepStrictEqual(doc, existing.source))
            return {
              ...base,
              _version: existing.version,
              result: "noop",
              _shards: { total: 0, successful: 0, failed: 0 },
              _seq_no: existing.seqNo,
              _primary_term: 1,
              status: 200,
            };
          index.mappings = applyDynamicMapping(index.mappings, doc, {
            dynamic: index.dynamic,
            ...this.mappingLimits(index),
          });
          const stored = { source: doc, version: existing.version + 1n, seqNo: index.seqNo++ };
          index.docs.set(id, stored);
          this.stage(index, id, stored);
          return {
            ...base,
            _version: stored.version,
            result: "updated",
            _shards: this.shardCounts(index),
            _seq_no: stored.seqNo,
            _primary_term: 1,
            status: 200,
          };
        }
        case "delete": {
          index.docs.delete(id);
          if (existing) this.stage(index, id, null);
          index.tombstones.set(id, { version: nextVersion, at: Date.now() });
          const written = { _shards: this.shardCounts(index), _seq_no: index.seqNo++, _primary_term: 1 };
          return existing
            ? { ...base, _version: nextVersion, result: "deleted", ...written, status: 200 }
            : { ...base, _version: nextVersion, result: "not_found", ...written, status: 404 };
        }
        default:
          return fail(
            400,
            "illegal_argument_exception",
            `Malformed action/metadata line, expected one of [create, delete, index, update] but found [${op}]`,
          );
      }
    } catch (error) {
      if (error instanceof MappingError) return fail(400, error.type, error.message);
      if (error instanceof HttpError) return fail(error.status, error.type, error.message);
      throw error;
    }
  }

  bulk(body: string, defaultIndex?: string): Record<string, unknown> {
    const started = Date.now();
    const lines = body.split("\n");
    const items: Record<string, unknown>[] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = (lines[i] as string).trim();
      if (!line) continue;
      let action: Record<string, Record<string, unknown>>;
      try {
        action = parseActionLine(line);
      } catch {
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Malformed action/metadata line [${i + 1}], expected START_OBJECT or END_OBJECT`,
        );
      }
      if (action === null || typeof action !== "object" || Array.isArray(action))
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Malformed action/metadata line [${i + 1}], expected START_OBJECT`,
        );
      const entries = Object.entries(action);
      if (entries.length === 0)
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Malformed action/metadata line [${i + 1}], expected FIELD_NAME but found [END_OBJECT]`,
        );
      let [op, meta = {}] = entries[0] as [string, Record<string, unknown>];
      if (!["index", "create", "update", "delete"].includes(op))
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Action/metadata line [${i + 1}] contains an unknown parameter [${op}]`,
        );
      if (meta === null || typeof meta !== "object" || Array.isArray(meta))
        throw new HttpError(
          400,
          "illegal_argument_exception",
          `Malformed action/metadata line [${i + 1}], expected START_OBJECT but found [${typeof meta}]`,
        );
      if (op === "index" && meta.op_type === "create") op = "create";
      if (defaultIndex && meta._index === undefined) meta._index = defaultIndex;
      if (meta._index === undefined)
        throw new HttpError(
          400,
          "action_request_validation_exception",
          "Validation Failed: 1: index is missing;",
        );
      let source: Source | undefined;
      if (op !== "delete") {
        const sourceLine = lines[++i];
        if (sourceLine === undefined)
          throw new HttpError(
            400,
            "illegal_argument_exception",
            "The bulk request must be terminated by a newline [\\n]",
          );
        try {
          source = readSource(sourceLine);
        } catch {
          items.push({
            [op]: {
              _index: meta._index,
              _id: meta._id,
              status: 400,
              error: { type: "mapper_parsing_exception", reason: "failed to parse" },
            },
          });
          continue;
        }
      }
      const item = this.bulkItem(op, meta, source);
      items.push({ [op]: item });
      if (this.appliedBulk && Number(item.status) < 300)
        this.appliedBulk.push(
          toJson({ [op]: meta }),
          ...(source === undefined ? [] : [toJson(source.exact)]),
        );
    }
    const errors = items.some((w) => Number((Object.values(w)[0] as { status: number }).status) >= 300);
    return { took: Date.now() - started, errors, items };
  }

  search(
    indexExpression: string,
    body: Record<string, unknown>,
    options: SearchOptions = {},
  ): Record<string, unknown> {
    const query = checkSearchBody(body, options);
    const indices = this.resolveIndices(indexExpression, { ignoreMissing: options.ignoreUnavailable });
    const now = Date.now();
    let hits: (Doc & { exact: Record<string, unknown> | undefined; index: string; version: bigint })[] = [];
    // Queries and sorts read indexed values: the first index's mappings stand for all (as one shard would).
    let values: Indexed = sourceValues;
    for (const index of indices) {
      this.settle(index, now, true);
      const indexed: Indexed = (source, field) =>
        sourceValues(source, field)
          .map((v) => indexedValue(resolveField(index.mappings, field), v))
          .filter((v) => v !== undefined);
      if (values === sourceValues) values = indexed;
      for (const [id, d] of index.searchable) {
        const doc = { id, source: d.source };
        if (matches(doc, query, indexed))
          hits.push({ ...doc, exact: d.exact, index: index.name, version: d.version });
      }
    }
    const shards = { total: indices.length, successful: indices.length, skipped: 0, failed: 0 };
    if (options.countOnly) return { count: hits.length, _shards: shards };
    const sort = body.sort ?? options.sort;
    hits = sortDocs(hits, sort, values) as typeof hits;
    const from = Number(body.from ?? options.from ?? 0);
    const size = Number(body.size ?? options.size ?? 10);
    const sorted = sort !== undefined;
    const trackTotalHits = body.track_total_hits ?? options.trackTotalHits ?? true;
    const page = (start: number, asInt: boolean) => {
      const limit =
        trackTotalHits === true
          ? Number.POSITIVE_INFINITY
          : trackTotalHits === false
            ? -1
            : Number(trackTotalHits);
      const total =
        limit < 0
          ? undefined
          : hits.length > limit
            ? { value: limit, relation: "gte" }
            : { value: hits.length, relation: "eq" };
      return {
        took: 1,
        timed_out: false,
        _shards: shards,
        hits: {
          ...(total && { total: asInt ? total.value : total }),
          max_score: sorted || hits.length === 0 ? null : 1,
          hits: hits.slice(start, start + size).map((h) => ({
            _index: h.index,
            _id: h.id,
            _score: sorted ? null : 1,
            ...(body.version === true && { _version: h.version }),
            _source: h.exact ?? h.source,
            ...(sorted && { sort: sortValues(h, sort, values) }),
          })),
        },
      };
    };
    if (!options.scroll) return page(from, options.restTotalHitsAsInt === true);
    // A scroll keeps the result set as of this search and hands it out page by page.
    const scrollId = Buffer.from(`emulator-scroll-${++this.scrollCounter}`).toString("base64url");
    let cursor = from;
    this.scrolls.set(scrollId, {
      next: (asInt) => {
        cursor += size;
        return page(cursor, asInt);
      },
    });
    return { _scroll_id: scrollId, ...page(from, options.restTotalHitsAsInt === true) };
  }

  /** `_search/scroll`: the next page (POST/GET) or freeing scrolls (DELETE); the body's id wins. */
  scrollPage(
    method: string,
    body: Record<string, unknown>,
    pathId?: string,
    asInt = false,
  ): [number, unknown] {
    const ids = [body.scroll_id ?? pathId ?? []]
      .flat()
      .flatMap((id) => String(id).split(","))
      .filter(Boolean);
    if (method === "DELETE") {
      let freed = 0;
      for (const id of ids) if (this.scrolls.delete(id)) freed++;
      return [200, { succeeded: true, num_freed: freed }];
    }
    const scroll = ids[0] ? this.scrolls.get(ids[0]) : undefined;
    if (!scroll || !ids[0])
      return [
        404,
        errorBody(404, "search_context_missing_exception", `No search context found for id [${ids[0]}]`),
      ];
    return [200, { _scroll_id: ids[0], ...scroll.next(asInt) }];
  }

  /**
   * Handles one request; returns [status, body]. With a data folder, a request that changed something is
   * in the journal before this returns (so before the response is sent): for a bulk request, the items
   * that were applied.
   */
  handle(method: string, url: URL, body: string): [number, unknown] {
    const isBulk = url.pathname.split("/").includes("_bulk");
    this.appliedBulk = this.store && isBulk ? [] : undefined;
    const result = this.route(method, url, body);
    if (this.store && !this.replaying) {
      let entry: JournalEntry | undefined;
      if (isBulk) {
        if (this.appliedBulk?.length)
          entry = { method: "POST", path: "/_bulk", body: `${this.appliedBulk.join("\n")}\n` };
      } else if (changesState(method, url) && result[0] < 300) {
        entry = { method, path: `${url.pathname}${url.search}`, body };
      }
      // The request is answered once its journal line is written (a full disk fails it); a compaction
      // that fails after that leaves the journal as it is, and the request stays answered as done.
      if (entry && this.store.append(entry))
        try {
          this.persist();
        } catch {
          // tried again once the journal has grown further (persistence.ts)
        }
    }
    this.appliedBulk = undefined;
    const filter = url.searchParams.get("filter_path");
    // As in OpenSearch, error responses are never filtered.
    if (filter !== null && result[0] < 400 && result[1] !== "" && !(result[1] instanceof TextBody))
      return [result[0], applyFilterPath(result[1], filter)];
    return result;
  }

  /** Routes one request; returns [status, body]. The emulator's controls answer even while faults are on. */
  private route(method: string, url: URL, body: string): Reply {
    const request = (params: Record<string, string>): Request => ({
      method,
      url,
      params,
      body,
      json: () => (body.trim() ? (JSON.parse(body) as Record<string, unknown>) : {}),
    });
    const control = findRoute(emulatorControlRoutes(this), method, url);
    if (control) return control.route.handler(request(control.params));
    if (!this.replaying && this.faults.failNextRequests && this.faults.failNextRequests.count > 0) {
      this.faults.failNextRequests.count--;
      const status = this.faults.failNextRequests.status;
      const type = status === 429 ? "es_rejected_execution_exception" : "unavailable";
      return [status, errorBody(status, type, "injected fault (emulator)")];
    }
    if (Buffer.byteLength(body) > this.options.maxContentLength) {
      const reason = `request body is larger than http.max_content_length [${this.options.maxContentLength}]`;
      return [413, errorBody(413, "content_too_long_exception", reason)];
    }
    const found = findRoute(this.routes, method, url);
    if (found) return found.route.handler(request(found.params));
    const api = url.pathname.split("/").filter(Boolean)[0] ?? "";
    const what = api.startsWith("_") ? `path ${url.pathname}` : `request ${method} ${url.pathname}`;
    return [400, errorBody(400, "illegal_argument_exception", `${what} is not supported by the emulator`)];
  }
}

/** A running emulator: the local stack's part shape, plus the emulator itself (fault injection). */
export type RunningEmulator = { url: string; emulator: OpenSearchEmulator; stop(): Promise<void> };

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const emulator = new OpenSearchEmulator(options);
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      emulator.requestCount++;
      const url = new URL(req.url ?? "/", "http://localhost");
      let status: number;
      let payload: unknown;
      try {
        [status, payload] = emulator.handle(req.method ?? "GET", url, Buffer.concat(chunks).toString("utf8"));
      } catch (error) {
        if (error instanceof HttpError)
          [status, payload] = [error.status, errorBody(error.status, error.type, error.message)];
        else if (
          error instanceof QueryError ||
          error instanceof SyntaxError ||
          error instanceof JsonTooDeepError
        )
          [status, payload] = [400, errorBody(400, "parsing_exception", (error as Error).message)];
        else [status, payload] = [500, errorBody(500, "exception", (error as Error).message)];
      }
      const send = () => {
        const plain = payload instanceof TextBody;
        const text =
          payload instanceof TextBody
            ? payload.text
            : payload === ""
              ? ""
              : toJson(payload, queryFlag(url, "pretty"));
        res.writeHead(status, {
          "content-type": plain ? "text/plain; charset=UTF-8" : "application/json; charset=UTF-8",
          "content-length": Buffer.byteLength(text),
        });
        res.end(req.method === "HEAD" ? undefined : text);
      };
      if (emulator.faults.latencyMs) setTimeout(send, emulator.faults.latencyMs);
      else send();
    });
  });
  await new Promise<void>((resolve) =>
    server.listen(options.port ?? 0, options.host ?? "127.0.0.1", resolve),
  );
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? "127.0.0.1"}:${port}`,
    emulator,
    // A snapshot that cannot be written (a full disk) fails the stop, not the process: the journal
    // still holds every acknowledged write, and the next start reads it.
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close(() => {
          try {
            emulator.persist();
            resolve();
          } catch (error) {
            reject(error);
          }
        });
      }),
  };
}
