/**
 * The fine-grained access control roles the search bootstrap installs on a stage's domain allow every
 * request the pipeline's parts send there, and no more than they need: the requests the indexer, verify
 * (pages, mget, scroll, the second look) and a rebuild's index deletion really send (recorded from the
 * real code against the emulator, or a real cluster with OPENSEARCH_URL) are checked against the roles with
 * a model of OpenSearch security's authorization (test/helpers/opensearch-security.ts). The emulator does
 * not enforce FGAC, so without this a role missing an action shows only on a deployed stage, as a 403.
 */
import type { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createIndexerClient,
  type IndexerSearch,
  readDocumentVersions,
} from "../../functions/indexer/opensearch-client";
import { roleNames, searchBootstrapRequests } from "../../functions/search-bootstrap/plan";
import { localSearchClient } from "../../operator/lib/search-client";
import { deleteIndices } from "../../operator/reload/reload";
import { verify } from "../../operator/verify/verify";
import { DEFAULT_INDEX_SETTINGS } from "../../shared/index-templates";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { changeRecord } from "../helpers/dms";
import { type Request, type RoleBody, refusedActions } from "../helpers/opensearch-security";
import { startDatabase } from "../helpers/producer";
import {
  indexThroughIndexer,
  openSearchTarget,
  type SearchTarget,
  tableAsLoaded,
  uniquePrefix,
} from "../helpers/search";

let database: Awaited<ReturnType<typeof startDatabase>>;
let search: SearchTarget;
const prefix = uniquePrefix();
const stage = "fgac";
const pipeline = parsePipelineConfig(
  `
  tables:
    public.items:
      primaryKey: [id]
      index: items
      columns: {price: {type: number, scale: 2}}
  routes:
    - index: cheap-items
      table: public.items
      when: {field: price, lessThan: 5}`,
  { indexPrefix: prefix },
);

const roles = searchBootstrapRequests({
  config: pipeline,
  stage,
  index: DEFAULT_INDEX_SETTINGS,
  indexerRoleArns: ["arn:aws:iam::123456789012:role/indexer"],
  operatorRoleArns: ["arn:aws:iam::123456789012:role/operator"],
});
const role = (name: string) => roles.find((r) => r.path.endsWith(`/roles/${name}`))?.body as RoleBody;
const indexerRole = role(roleNames(stage).indexer);
const operatorRole = role(roleNames(stage).operator);

/** A client of the operator tools that records every request it sends. */
function recordingClient(requests: Request[]): Client {
  const client = localSearchClient(search.url, { exactNumbers: true });
  client.on("response", (_error, result) => {
    const params = result?.meta.request.params;
    if (!params) return;
    const query = params.querystring ? `?${params.querystring}` : "";
    const body = typeof params.body === "string" ? params.body : params.body?.toString();
    requests.push({ method: params.method, path: `${params.path}${query}`, ...(body && { body }) });
  });
  return client;
}

/** The indexer's client, recording the requests it sends (its versions' `_mget` through the real code). */
function recordingIndexerClient(requests: Request[]): IndexerSearch {
  const client = createIndexerClient({ endpoint: search.url, auth: "none", region: "us-east-1" });
  return {
    bulk: (params, options) => {
      requests.push({ method: "POST", path: "/_bulk", body: params.body.toString() });
      return client.bulk(params, options);
    },
    versions: (docs, options) => readDocumentVersions(recordingClient(requests), docs, options),
  };
}

const refusals = (roleBody: RoleBody, requests: Request[]) =>
  requests.flatMap((r) =>
    refusedActions(roleBody, r).map((a) => `${r.method} ${r.path.split("?")[0]}: ${a.action} ${a.indices}`),
  );

beforeAll(async () => {
  [database, search] = await Promise.all([startDatabase({ migrate: false }), openSearchTarget()]);
  await database.db.query("CREATE TABLE public.items (id int PRIMARY KEY, name text, price numeric(10,2))");
  await database.db.query(
    "INSERT INTO public.items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 7) AS g",
  );
});
afterAll(async () => {
  await search?.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  await search?.close();
  await database?.stop();
});

describe("the FGAC roles of a stage's domain", () => {
  // Rows of 5 or more are deleted from the route's index: index and delete actions in two indices. A
  // change the indexer cannot index, older than its row's document, is settled by reading its version.
  it("let the indexer send its bulk writes (index and delete, in the table's and a route's index) and read versions", async () => {
    const requests: Request[] = [];
    const indexer = recordingIndexerClient(requests);
    await indexThroughIndexer(indexer, pipeline, await tableAsLoaded(database.db, "public.items"));
    const change = (row: Record<string, unknown>, day: number) =>
      changeRecord({ op: "update", table: "public.items", row, commitMs: Date.UTC(2026, 0, day) }, 0);
    await database.db.query("UPDATE public.items SET price = 0.5 WHERE id = 1");
    await indexThroughIndexer(indexer, pipeline, [change({ id: 1, name: "item 1", price: "0.50" }, 2)]);
    const superseded = await indexThroughIndexer(indexer, pipeline, [change({ id: 1, price: "free" }, 1)]);
    expect(superseded.superseded).toBe(1);
    expect(requests.map((r) => `${r.method} ${r.path.split("?")[0]}`)).toContain("POST /_mget");
    expect(refusals(indexerRole, requests)).toEqual([]);
    // ...and nothing an operator does: its role reads, it does not write.
    expect(refusals(operatorRole, requests)).not.toEqual([]);
  });

  it("let verify read both sides in pages, with a second look, and a rebuild delete an index", async () => {
    const requests: Request[] = [];
    const client = recordingClient(requests);
    // A difference, so the second look reads again; pages of two, so mget and the scroll run several times.
    await database.db.query("UPDATE public.items SET name = 'renamed' WHERE id = 2");
    const report = await verify({
      database: database.url,
      search: client,
      pipeline,
      pageSize: 2,
      secondLookAfterMs: 1,
    });
    expect(report.differences).toHaveLength(2); // the row is in both indices
    await deleteIndices(client, [`${prefix}cheap-items`]);
    const sent = new Set(requests.map((r) => `${r.method} ${r.path.split("?")[0]?.replace(prefix, "")}`));
    expect([...sent].sort()).toEqual(
      expect.arrayContaining([
        "DELETE /_search/scroll",
        "DELETE /cheap-items",
        "HEAD /items",
        "POST /items/_mget",
        "POST /items/_search",
      ]),
    );
    expect(refusals(operatorRole, requests)).toEqual([]);
    // The indexer's role reads nothing.
    expect(refusals(indexerRole, requests)).not.toEqual([]);
  });
});
