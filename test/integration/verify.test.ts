/**
 * `verify` pages through both sides: rows through a cursor, their documents with `_mget` per page, and a
 * scroll over each index for extras. With a page of two rows it still finds every kind of difference (a
 * row changed without its document, a document deleted, a row never indexed, a document no row expects)
 * and reports progress per page. Real PostgreSQL; the emulator, or a real cluster (OPENSEARCH_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTable } from "../../operator/lib/dms/describe-table";
import { loadRecord } from "../../operator/lib/dms/records";
import { localSearchClient } from "../../operator/lib/search-client";
import { type VerifyProgress, verify } from "../../operator/verify/verify";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { kinesisRecord } from "../../tools/lib/kinesis-event";
import { startDatabase } from "../helpers/producer";
import { indexThroughIndexer, openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let database: Awaited<ReturnType<typeof startDatabase>>;
let search: SearchTarget;
// As the verify command reads the index: numbers as written.
const exactClient = () => localSearchClient(search.url, { exactNumbers: true });
const prefix = uniquePrefix();
const pipeline = parsePipelineConfig(
  `tables:
     public.items:
       primaryKey: [id]
       index: items
       columns: {price: {type: number, scale: 2}}`,
  { indexPrefix: prefix },
);
const index = `${prefix}items`;

beforeAll(async () => {
  [database, search] = await Promise.all([startDatabase({ migrate: false }), openSearchTarget()]);
  await database.db.query("CREATE TABLE public.items (id int PRIMARY KEY, name text, price numeric(10,2))");
  await database.db.query(
    "INSERT INTO public.items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 5) AS g",
  );
  // The indexer indexes the five rows as a full load would deliver them.
  const client = await database.db.connect();
  const relation = await describeTable(client, "public.items");
  const rows = await client.query<Record<string, string>>(
    "SELECT id::text, name, price::text FROM public.items ORDER BY id",
  );
  client.release();
  const records = rows.rows.map((row, i) =>
    kinesisRecord({ partitionKey: `public.items.${row.id}`, data: loadRecord(relation, row, 0n).data }, i),
  );
  await indexThroughIndexer(search.url, pipeline, records);
});
afterAll(async () => {
  await search?.client.indices.delete({ index }).catch(() => undefined);
  await search?.close();
  await database?.stop();
});

describe("verify, in pages", () => {
  it("reports nothing when the index equals the table", async () => {
    const report = await verify({ database: database.url, search: exactClient(), pipeline, pageSize: 2 });
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([{ index, expected: 5, actual: 5, differences: 0 }]);
  });

  it("finds every kind of difference with a page of two, and reports progress per page", async () => {
    await database.db.query("UPDATE public.items SET price = 99.99 WHERE id = 2");
    await database.db.query("INSERT INTO public.items VALUES (6, 'item 6', 7.50)");
    await search.client.delete({ index, id: "3", refresh: true });
    await search.client.index({ index, id: "99", body: { id: 99, name: "stray" }, refresh: true });
    const progress: VerifyProgress[] = [];
    const report = await verify({
      database: database.url,
      search: exactClient(),
      pipeline,
      pageSize: 2,
      onProgress: (p) => progress.push(p),
    });
    expect(report.differences.map((d) => `${d.kind} ${d.id}`).sort()).toEqual([
      "differs 2",
      "extra 99",
      "missing 3",
      "missing 6",
    ]);
    expect(report.differences.find((d) => d.kind === "differs")).toMatchObject({
      expected: { price: 99.99 },
      actual: { price: 2.5 },
    });
    expect(report.indices).toEqual([{ index, expected: 6, actual: 5, differences: 4 }]);
    expect(progress.filter((p) => p.table).map((p) => p.rows)).toEqual([2, 4, 6]);
    expect(progress.filter((p) => p.index).map((p) => p.documents)).toEqual([2, 4, 5]);
  });
});
