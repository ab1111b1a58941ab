/**
 * Document API: `_bulk` (with and without a default index), single documents (`/{index}/_doc/{id}`) and
 * `_mget` (realtime, as OpenSearch's: a document is returned as soon as it is written).
 */
import { errorBody } from "../http";
import type { Request, Route } from "../router";
import type { OpenSearchEmulator } from "../server";

/** `_mget`: `{docs: [{_index?, _id}]}` or, with a default index, `{ids: [...]}`; one entry per doc, in order. */
function multiGet(em: OpenSearchEmulator, req: Request, defaultIndex?: string): [number, unknown] {
  const body = req.json() as { docs?: { _index?: string; _id?: unknown }[]; ids?: unknown[] };
  const wanted =
    body.docs?.map((d) => ({ index: d._index ?? defaultIndex, id: d._id })) ??
    body.ids?.map((id) => ({ index: defaultIndex, id }));
  if (!wanted || wanted.length === 0)
    return [
      400,
      errorBody(400, "action_request_validation_exception", "Validation Failed: 1: no documents to get;"),
    ];
  const docs = wanted.map(({ index, id }) => {
    if (index === undefined || typeof id !== "string" || id === "")
      return {
        _index: index ?? null,
        _id: id ?? null,
        error: { type: "action_request_validation_exception", reason: "index and id are required" },
      };
    const state = em.indices.get(index);
    if (!state)
      return {
        _index: index,
        _id: id,
        error: { type: "index_not_found_exception", reason: `no such index [${index}]`, index },
      };
    const d = state.docs.get(id);
    return d
      ? {
          _index: index,
          _id: id,
          _version: d.version,
          _seq_no: d.seqNo,
          _primary_term: 1,
          found: true,
          _source: d.source,
        }
      : { _index: index, _id: id, found: false };
  });
  return [200, { docs }];
}

export function documentRoutes(em: OpenSearchEmulator): Route[] {
  return [
    { methods: ["GET", "POST"], path: "/_mget", handler: (req) => multiGet(em, req) },
    {
      methods: ["GET", "POST"],
      path: "/{index}/_mget",
      handler: (req) => multiGet(em, req, req.params.index),
    },
    { methods: ["POST", "PUT"], path: "/_bulk", handler: (req) => [200, em.bulk(req.body)] },
    { methods: "*", path: "/{index}/_bulk", handler: (req) => [200, em.bulk(req.body, req.params.index)] },
    {
      methods: ["GET", "HEAD"],
      path: "/{index}/_doc/{id}",
      handler: (req) => {
        const { index: name, id } = req.params as { index: string; id: string };
        const d = em.getIndex(name).docs.get(id);
        if (!d) return [404, { _index: name, _id: id, found: false }];
        return [
          200,
          { _index: name, _id: id, _version: d.version, _seq_no: d.seqNo, found: true, _source: d.source },
        ];
      },
    },
    {
      methods: "*",
      path: "/{index}/_doc/{id}",
      handler: (req) => {
        const { index: name, id } = req.params as { index: string; id: string };
        const op = req.method === "DELETE" ? "delete" : "index";
        const meta: Record<string, unknown> = { _index: name, _id: id };
        const v = req.url.searchParams.get("version");
        if (v) meta.version = BigInt(v);
        const vt = req.url.searchParams.get("version_type");
        if (vt) meta.version_type = vt;
        const item = em.bulkItem(op, meta, op === "index" ? req.json() : undefined) as {
          status: number;
          error?: { type: string; reason: string };
        };
        if (item.error)
          return [item.status, errorBody(item.status, item.error.type, item.error.reason, name)];
        return [item.status, item];
      },
    },
  ];
}
