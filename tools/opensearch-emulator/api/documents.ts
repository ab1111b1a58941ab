/** Document API: `_bulk` (with and without a default index) and single documents (`/{index}/_doc/{id}`). */
import { errorBody } from "../http";
import type { Route } from "../router";
import type { OpenSearchEmulator } from "../server";

export function documentRoutes(em: OpenSearchEmulator): Route[] {
  return [
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
