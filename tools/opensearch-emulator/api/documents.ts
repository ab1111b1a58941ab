/**
 * Document API: `_bulk` (with and without a default index), single documents (`/{index}/_doc/{id}`,
 * `POST /{index}/_doc` with a generated id, `/{index}/_create/{id}`, `op_type=create`,
 * `POST /{index}/_update/{id}` with `doc`, `upsert`, `doc_as_upsert`, `detect_noop`), realtime get and
 * exists (`realtime=false` reads what search sees), and `_mget`. Writes take `refresh=true|wait_for`
 * (`true` answers `forced_refresh`; `wait_for` returns once the change is searchable).
 */
import { errorBody } from "../http";
import type { Request, Route } from "../router";
import { type OpenSearchEmulator, readSource } from "../server";

/** `refresh` as OpenSearch reads it: present and empty or `true` forces one; `wait_for` waits for one. */
function refreshMode(req: Request): "force" | "wait" | undefined {
  const value = req.url.searchParams.get("refresh");
  if (value === null || value === "false") return undefined;
  return value === "wait_for" ? "wait" : "force";
}

/** Refreshes the shards the written documents route to (OpenSearch refreshes only those). */
function refreshWritten(em: OpenSearchEmulator, written: { index: string; id: string }[]): void {
  const shards = new Map<string, Set<number>>();
  for (const { index, id } of written) {
    const state = em.indices.get(index);
    if (!state) continue;
    const set = shards.get(index) ?? new Set<number>();
    set.add(em.shardOf(state, id));
    shards.set(index, set);
  }
  for (const [name, set] of shards) em.refreshIndex(em.indices.get(name) as never, set);
}

/** Applies the refresh a write asked for; adds `forced_refresh` when forced. */
function afterWrite(
  em: OpenSearchEmulator,
  req: Request,
  written: { index: string; id: string },
  reply: Record<string, unknown>,
) {
  const mode = refreshMode(req);
  if (!mode) return reply;
  refreshWritten(em, [written]);
  return mode === "force" ? { ...reply, forced_refresh: true } : reply;
}

const versionParam = (req: Request) => {
  const v = req.url.searchParams.get("version");
  return v === null ? undefined : BigInt(v);
};

function getOptions(req: Request) {
  const p = req.url.searchParams;
  return {
    realtime: p.get("realtime") !== "false",
    refresh: p.get("refresh") !== null && p.get("refresh") !== "false",
    version: versionParam(req),
    noSource: p.get("_source") === "false",
  };
}

/** One write through the bulk item logic; the reply and status of the single-document API. */
function write(
  em: OpenSearchEmulator,
  req: Request,
  op: "index" | "create" | "update" | "delete",
  id?: string,
): [number, unknown] {
  const name = req.params.index as string;
  const meta: Record<string, unknown> = { _index: name, ...(id !== undefined && { _id: id }) };
  const v = versionParam(req);
  if (v !== undefined) meta.version = v;
  const vt = req.url.searchParams.get("version_type");
  if (vt) meta.version_type = vt;
  const source = op === "delete" ? undefined : readSource(req.body.trim() ? req.body : "{}");
  const item = em.bulkItem(op, meta, source) as {
    status: number;
    error?: { type: string; reason: string };
  };
  if (item.error) return [item.status, errorBody(item.status, item.error.type, item.error.reason, name)];
  const { status, ...reply } = item as Record<string, unknown>;
  return [Number(status), afterWrite(em, req, { index: name, id: String(reply._id) }, reply)];
}

/** `_mget`: `{docs: [{_index?, _id}]}` or, with a default index, `{ids: [...]}`; one entry per doc, in order. */
function multiGet(em: OpenSearchEmulator, req: Request, defaultIndex?: string): [number, unknown] {
  const body = req.json() as { docs?: { _index?: string; _id?: unknown }[]; ids?: unknown[] };
  const wanted =
    body.docs?.map((d) => ({ index: d._index ?? defaultIndex, id: d._id })) ??
    body.ids?.map((id) => ({ index: defaultIndex, id }));
  const problems: string[] = [];
  if (!wanted || wanted.length === 0) problems.push("no documents to get");
  wanted?.forEach((w, i) => {
    if (w.index === undefined) problems.push(`index is missing for doc ${i}`);
    if (w.id === undefined || w.id === null || w.id === "") problems.push(`id is missing for doc ${i}`);
  });
  if (problems.length)
    return [
      400,
      errorBody(
        400,
        "action_request_validation_exception",
        `Validation Failed: ${problems.map((p, i) => `${i + 1}: ${p};`).join("")}`,
      ),
    ];
  const options = getOptions(req);
  const docs = (wanted ?? []).map(({ index, id }) => {
    const name = String(index);
    const key = String(id);
    if (!em.indices.has(name))
      return {
        _index: name,
        _id: key,
        error: noSuchIndex(name).error,
      };
    const [, doc] = em.getDocument(name, key, { realtime: options.realtime, refresh: options.refresh });
    return withoutSourceIf(options.noSource, doc);
  });
  return [200, { docs }];
}

/** `_source=false`: the document's metadata without its source (get and mget). */
function withoutSourceIf(noSource: boolean, doc: Record<string, unknown>): Record<string, unknown> {
  if (!noSource || !("_source" in doc)) return doc;
  const { _source, ...rest } = doc;
  return rest;
}

const noSuchIndex = (index: string) =>
  errorBody(404, "index_not_found_exception", `no such index [${index}]`, index);

export function documentRoutes(em: OpenSearchEmulator): Route[] {
  const bulk = (req: Request) => {
    const reply = em.bulk(req.body, req.params.index);
    const touched = (reply.items as Record<string, { _index?: string }>[]).map((i) =>
      String(Object.values(i)[0]?._index),
    );
    const mode = refreshMode(req);
    for (const name of mode ? new Set(touched) : []) {
      const index = em.indices.get(name);
      if (index) em.refreshIndex(index);
    }
    if (mode === "force")
      for (const item of reply.items as Record<string, Record<string, unknown>>[]) {
        const result = Object.values(item)[0];
        if (result && Number(result.status) < 300) result.forced_refresh = true;
      }
    return [200, reply] as [number, unknown];
  };
  return [
    { methods: ["GET", "POST"], path: "/_mget", handler: (req) => multiGet(em, req) },
    {
      methods: ["GET", "POST"],
      path: "/{index}/_mget",
      handler: (req) => multiGet(em, req, req.params.index),
    },
    { methods: ["POST", "PUT"], path: "/_bulk", handler: bulk },
    { methods: ["POST", "PUT"], path: "/{index}/_bulk", handler: bulk },
    { methods: ["POST"], path: "/{index}/_doc", handler: (req) => write(em, req, "index") },
    {
      methods: ["PUT", "POST"],
      path: "/{index}/_create/{id}",
      handler: (req) => write(em, req, "create", req.params.id),
    },
    {
      methods: ["GET", "HEAD"],
      path: "/{index}/_doc/{id}",
      handler: (req) => {
        const { index, id } = req.params as { index: string; id: string };
        if (!em.indices.has(index)) return [404, noSuchIndex(index)];
        const options = getOptions(req);
        const [status, doc] = em.getDocument(index, id, options);
        return [status, withoutSourceIf(options.noSource, doc)];
      },
    },
    {
      // The document's source alone; a missing document is a 404 error (OpenSearch's RestGetSourceAction).
      methods: ["GET", "HEAD"],
      path: "/{index}/_source/{id}",
      handler: (req) => {
        const { index, id } = req.params as { index: string; id: string };
        if (!em.indices.has(index)) return [404, noSuchIndex(index)];
        const [status, doc] = em.getDocument(index, id, getOptions(req));
        if (status === 200) return [200, doc._source];
        if (status !== 404) return [status, doc];
        const reason = `Document not found [${index}]/[_doc]/[${id}]`;
        return [404, errorBody(404, "resource_not_found_exception", reason)];
      },
    },
    {
      methods: ["PUT", "POST"],
      path: "/{index}/_doc/{id}",
      handler: (req) =>
        write(em, req, req.url.searchParams.get("op_type") === "create" ? "create" : "index", req.params.id),
    },
    {
      methods: ["POST"],
      path: "/{index}/_update/{id}",
      handler: (req) => write(em, req, "update", req.params.id),
    },
    {
      methods: ["DELETE"],
      path: "/{index}/_doc/{id}",
      handler: (req) => write(em, req, "delete", req.params.id),
    },
  ];
}
