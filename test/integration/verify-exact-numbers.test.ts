/**
 * `verify` compares a json column's numbers digit for digit: an index that mirrors the table verifies
 * clean, and a document whose number lost digits (as the indexer wrote it before it kept them) is a
 * difference, shown with every digit. Real PostgreSQL; the emulator, or a real cluster (OPENSEARCH_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeTable } from "../../operator/lib/dms/describe-table";
import { loadRecord } from "../../operator/lib/dms/records";
import { localSearchClient } from "../../operator/lib/search-client";
import { verify } from "../../operator/verify/verify";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { kinesisRecord } from "../../tools/lib/kinesis-event";
import { startDatabase } from "../helpers/producer";
import { indexThroughIndexer, openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let database: Awaited<ReturnType<typeof startDatabase>>;
let search: SearchTarget;
const prefix = uniquePrefix();
const pipeline = parsePipelineConfig(
  "tables: {public.ledger: {primaryKey: [id], index: ledger, columns: {details: json}}}",
  { indexPrefix: prefix },
);
const index = `${prefix}ledger`;
const run = () =>
  verify({
    database: database.url,
    search: localSearchClient(search.url, { exactNumbers: true }),
    pipeline,
    pageSize: 10,
  });

beforeAll(async () => {
  [database, search] = await Promise.all([startDatabase({ migrate: false }), openSearchTarget()]);
  await database.db.query("CREATE TABLE public.ledger (id int PRIMARY KEY, details jsonb)");
  await database.db.query(
    `INSERT INTO public.ledger VALUES (1, '{"amount": 12345678901234567.891}'), (2, '{"amount": 2.5}')`,
  );
  const client = await database.db.connect();
  const relation = await describeTable(client, "public.ledger");
  const rows = await client.query<Record<string, string>>(
    "SELECT id::text, details::text FROM public.ledger ORDER BY id",
  );
  client.release();
  await indexThroughIndexer(
    search.url,
    pipeline,
    rows.rows.map((row, i) =>
      kinesisRecord({ partitionKey: `public.ledger.${row.id}`, data: loadRecord(relation, row, 0n).data }, i),
    ),
  );
});
afterAll(async () => {
  await search?.client.indices.delete({ index }).catch(() => undefined);
  await search?.close();
  await database?.stop();
});

describe("verify on a json column's numbers", () => {
  it("reports nothing when every digit is in the index", async () => {
    const report = await run();
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([{ index, expected: 2, actual: 2, differences: 0 }]);
  });

  it("finds a number that lost digits, and shows both with every digit", async () => {
    // The document as a double would have it: 12345678901234568.
    const put = await fetch(`${search.url}/${index}/_doc/1?refresh=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: '{"id":1,"details":{"amount":12345678901234568}}',
    });
    expect(put.status).toBe(200);
    const report = await run();
    expect(report.differences.map((d) => `${d.kind} ${d.id}`)).toEqual(["differs 1"]);
    const [difference] = report.differences;
    expect(JSON.stringify(difference?.expected)).toBe('{"id":1,"details":{"amount":12345678901234567.891}}');
    expect(JSON.stringify(difference?.actual)).toBe('{"id":1,"details":{"amount":12345678901234568}}');
  });
});
