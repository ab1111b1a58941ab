/**
 * OpenSearch API EMULATOR — development and test tooling only, never deployed.
 *
 * An in-memory HTTP server speaking the part of the OpenSearch REST API this project uses: indices,
 * index templates, `_bulk` with external versioning and delete tombstones, dynamic mapping, `_doc`,
 * `_search` (with `scroll`), `_count`, `_refresh`, `_cluster/health`; plus fault injection (`/_emulator/faults`).
 * Every integration test that runs against it also runs against a real cluster when OPENSEARCH_URL is set.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { clusterRoutes, emulatorControlRoutes } from "./api/cluster";
import { documentRoutes } from "./api/documents";
import { indexRoutes } from "./api/indices";
import { searchRoutes } from "./api/search";
import { securityApiRoutes } from "./api/security";
import { errorBody, HttpError, toJson, wildcard } from "./http";
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
import { durationMs, flatSettings } from "./settings";

type StoredDoc = { source: Record<string, unknown>; version: bigint; seqNo: number };
type Tombstone = { version: bigint; at: number };
type IndexState = {
  name: string;
  /** Flat settings as OpenSearch keeps them: `index.refresh_interval` → "1s" (strings). */
  settings: Record<string, string>;
  mappings: Mappings;
  dynamic: boolean | "strict";
  docs: Map<string, StoredDoc>;
  tombstones: Map<string, Tombstone>;
  seqNo: number;
  createdAt: number;
};
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

type SavedIndex = Omit<IndexState, "docs" | "tombstones"> & {
  docs: [string, Record<string, unknown>, string, number][];
  tombstones: [string, string, number][];
};
type SavedState = {
  indices: SavedIndex[];
  templates: [string, Template][];
  security?: { roles: [string, unknown][]; rolesmapping: [string, unknown][] };
};

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

export class OpenSearchEmulator {
  readonly indices = new Map<string, IndexState>();
  readonly templates = new Map<string, Template>();
  /** The security plugin's roles and role mappings (stored and returned, not enforced). */
  readonly security = { roles: new Map<string, unknown>(), rolesmapping: new Map<string, unknown>() };
  faults: Faults = {};
  requestCount = 0;
  private readonly scrolls = new Map<string, { next(): Record<string, unknown> }>();
  private scrollCounter = 0;
  private readonly options: Required<Omit<EmulatorOptions, "port" | "host" | "dataDir">>;
  private readonly store: EmulatorStore<SavedState> | undefined;
  private readonly routes: Route[] = [
    ...clusterRoutes(this),
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
      this.store = new EmulatorStore<SavedState>(options.dataDir);
      const { snapshot, entries } = this.store.load();
      if (snapshot) this.restore(snapshot);
      this.replaying = true;
      try {
        for (const e of entries) this.route(e.method, new URL(e.path, "http://emulator"), e.body);
      } finally {
        this.replaying = false;
      }
    }
  }

  /** Every index and template, as the snapshot keeps them. */
  private save(): SavedState {
    return {
      indices: [...this.indices.values()].map((i) => ({
        ...i,
        docs: [...i.docs].map(([id, d]) => [id, d.source, String(d.version), d.seqNo]),
        tombstones: [...i.tombstones].map(([id, t]) => [id, String(t.version), t.at]),
      })),
      templates: [...this.templates],
      security: { roles: [...this.security.roles], rolesmapping: [...this.security.rolesmapping] },
    };
  }

  private restore(state: SavedState): void {
    for (const i of state.indices)
      this.indices.set(i.name, {
        ...i,
        docs: new Map(
          i.docs.map(([id, source, version, seqNo]) => [id, { source, version: BigInt(version), seqNo }]),
        ),
        tombstones: new Map(i.tombstones.map(([id, version, at]) => [id, { version: BigInt(version), at }])),
      });
    for (const [name, t] of state.templates) this.templates.set(name, t);
    for (const [name, r] of state.security?.roles ?? []) this.security.roles.set(name, r);
    for (const [name, m] of state.security?.rolesmapping ?? []) this.security.rolesmapping.set(name, m);
  }

  /** Writes a snapshot and drops the journal (on a clean stop; a kill relies on the journal). */
  persist(): void {
    this.store?.compact(this.save());
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
    if (!/^(?![-_+])[a-z0-9_\-.]+$/.test(name) || name === "." || name === "..") {
      throw new HttpError(
        400,
        "invalid_index_name_exception",
        `Invalid index name [${name}], must be lowercase`,
      );
    }
    const matching = [...this.templates.values()]
      .filter((t) => t.index_patterns.some((p) => wildcard(p).test(name)))
      .sort((a, b) => (a.priority ?? 0) - (b.priority ?? 0));
    const settings: Record<string, string> = {};
    const mappings: Mappings = { properties: {} };
    let dynamic: boolean | "strict" = true;
    for (const source of [...matching.map((t) => t.template ?? {}), body]) {
      Object.assign(settings, flatSettings(source.settings ?? {}));
      Object.assign(mappings.properties, normalizeProperties(source.mappings?.properties ?? {}));
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
      createdAt: Date.now(),
    };
    this.indices.set(name, index);
    return index;
  }

  getIndex(name: string, autoCreate = false): IndexState {
    const found = this.indices.get(name);
    if (found) return found;
    if (autoCreate) return this.createIndex(name);
    throw new HttpError(404, "index_not_found_exception", `no such index [${name}]`);
  }

  private totalFieldsLimit(index: IndexState): number {
    return Number(index.settings["index.mapping.total_fields.limit"] ?? 1000);
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
  bulkItem(
    op: string,
    meta: Record<string, unknown>,
    source: Record<string, unknown> | undefined,
  ): Record<string, unknown> {
    const indexName = String(meta._index ?? "");
    if (meta._id === undefined) meta._id = crypto.randomUUID(); // kept in the journal's copy of the item
    const id = String(meta._id);
    const base = { _index: indexName, _id: id };
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
      // As OpenSearch does: bulk auto-creates the index for writes and for externally versioned deletes
      // (so that their tombstone is kept), not for plain deletes or updates.
      const index = this.getIndex(
        indexName,
        op === "index" || op === "create" || (op === "delete" && external),
      );
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
      if (external && version !== undefined && current !== undefined) {
        if (versionType === "external" ? version <= current : version < current) return conflict();
      }
      const nextVersion = external ? (version as bigint) : (existing?.version ?? 0n) + 1n;
      switch (op) {
        case "index":
        case "create": {
          if (op === "create" && existing)
            return fail(
              409,
              "version_conflict_engine_exception",
              `[${id}]: version conflict, document already exists`,
            );
          if (!source || typeof source !== "object" || Array.isArray(source))
            return fail(400, "mapper_parsing_exception", "failed to parse, document is empty");
          index.mappings = applyDynamicMapping(index.mappings, source, {
            dynamic: index.dynamic,
            totalFieldsLimit: this.totalFieldsLimit(index),
          });
          index.docs.set(id, { source, version: nextVersion, seqNo: index.seqNo++ });
          index.tombstones.delete(id);
          return {
            ...base,
            _version: nextVersion,
            result: existing ? "updated" : "created",
            status: existing ? 200 : 201,
          };
        }
        case "update": {
          if (!existing) return fail(404, "document_missing_exception", `[${id}]: document missing`);
          const doc = { ...existing.source, ...((source as { doc?: Record<string, unknown> })?.doc ?? {}) };
          index.mappings = applyDynamicMapping(index.mappings, doc, {
            dynamic: index.dynamic,
            totalFieldsLimit: this.totalFieldsLimit(index),
          });
          index.docs.set(id, { source: doc, version: existing.version + 1n, seqNo: index.seqNo++ });
          return { ...base, _version: existing.version + 1n, result: "updated", status: 200 };
        }
        case "delete": {
          index.docs.delete(id);
          index.tombstones.set(id, { version: nextVersion, at: Date.now() });
          return existing
            ? { ...base, _version: nextVersion, result: "deleted", status: 200 }
            : { ...base, _version: nextVersion, result: "not_found", status: 404 };
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
        throw new HttpError(400, "json_parse_exception", `Malformed action/metadata line [${i + 1}]`);
      }
      const [op, meta = {}] = Object.entries(action)[0] ?? ["", {}];
      if (defaultIndex && meta._index === undefined) meta._index = defaultIndex;
      let source: Record<string, unknown> | undefined;
      if (op !== "delete") {
        const sourceLine = lines[++i];
        if (sourceLine === undefined)
          throw new HttpError(
            400,
            "illegal_argument_exception",
            "The bulk request must be terminated by a newline [\\n]",
          );
        try {
          source = JSON.parse(sourceLine);
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
        this.appliedBulk.push(toJson({ [op]: meta }), ...(source === undefined ? [] : [toJson(source)]));
    }
    const errors = items.some((w) => Number((Object.values(w)[0] as { status: number }).status) >= 300);
    return { took: Date.now() - started, errors, items };
  }

  search(
    indexPattern: string,
    body: Record<string, unknown>,
    countOnly: boolean,
    scroll?: string | null,
  ): Record<string, unknown> {
    const names = indexPattern.split(",").flatMap((p) => {
      if (p === "_all" || p === "*") return [...this.indices.keys()];
      if (p.includes("*")) return [...this.indices.keys()].filter((n) => wildcard(p).test(n));
      this.getIndex(p);
      return [p];
    });
    let hits: (Doc & { index: string; version: bigint })[] = [];
    // Queries and sorts read indexed values: the first index's mappings stand for all (as one shard would).
    let values: Indexed = sourceValues;
    for (const name of names) {
      const index = this.getIndex(name);
      const indexed: Indexed = (source, field) =>
        sourceValues(source, field).map((v) => indexedValue(resolveField(index.mappings, field), v));
      if (values === sourceValues) values = indexed;
      for (const [id, d] of index.docs) {
        const doc = { id, source: d.source };
        if (matches(doc, body.query as Record<string, unknown> | undefined, indexed))
          hits.push({ ...doc, index: name, version: d.version });
      }
    }
    if (countOnly)
      return {
        count: hits.length,
        _shards: { total: names.length, successful: names.length, skipped: 0, failed: 0 },
      };
    hits = sortDocs(hits, body.sort, values) as typeof hits;
    const from = Number(body.from ?? 0);
    const size = Number(body.size ?? 10);
    const page = (all: typeof hits, start: number) => ({
      took: 1,
      timed_out: false,
      _shards: { total: names.length, successful: names.length, skipped: 0, failed: 0 },
      hits: {
        total: { value: all.length, relation: "eq" },
        max_score: all.length ? 1 : null,
        hits: all
          .slice(start, start + size)
          .map((h) => ({ _index: h.index, _id: h.id, _score: 1, _version: h.version, _source: h.source })),
      },
    });
    if (!scroll) return page(hits, from);
    // A scroll keeps the result set as of this search and hands it out page by page.
    const scrollId = Buffer.from(`emulator-scroll-${++this.scrollCounter}`).toString("base64url");
    let cursor = from;
    this.scrolls.set(scrollId, {
      next: () => {
        cursor += size;
        return page(hits, cursor);
      },
    });
    return { _scroll_id: scrollId, ...page(hits, from) };
  }

  scrollPage(method: string, body: Record<string, unknown>): [number, unknown] {
    const ids = [body.scroll_id].flat().filter((id): id is string => typeof id === "string");
    if (method === "DELETE") {
      for (const id of ids) this.scrolls.delete(id);
      return [200, { succeeded: true, num_freed: ids.length }];
    }
    const scroll = ids[0] ? this.scrolls.get(ids[0]) : undefined;
    if (!scroll || !ids[0])
      return [404, errorBody(404, "search_context_missing_exception", "No search context found for id")];
    return [200, { _scroll_id: ids[0], ...scroll.next() }];
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
      if (entry && this.store.append(entry)) this.persist();
    }
    this.appliedBulk = undefined;
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
    return [400, errorBody(400, "illegal_argument_exception", `unsupported ${what} (emulator)`)];
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
        else if (error instanceof QueryError || error instanceof SyntaxError)
          [status, payload] = [400, errorBody(400, "parsing_exception", (error as Error).message)];
        else [status, payload] = [500, errorBody(500, "exception", (error as Error).message)];
      }
      const send = () => {
        const text = payload === "" ? "" : toJson(payload);
        res.writeHead(status, {
          "content-type": "application/json; charset=UTF-8",
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
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          emulator.persist();
          resolve();
        });
      }),
  };
}
