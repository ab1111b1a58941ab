/**
 * `verify` on a table whose columns are named like JavaScript's Object members (`__proto__`, `constructor`,
 * `toString`): they are fields like any other, so the index that mirrors the table verifies clean and a
 * changed value in one of them is a difference. Before, the OpenSearch client refused every answer that
 * held a `__proto__` field. Real PostgreSQL; the emulator, or a real cluster (OPENSEARCH_URL).
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
// As the verify command reads the index: numbers as written.
const exactClient = () => localSearchClient(search.url, { exactNumbers: true });
const prefix = uniquePrefix();
const pipeline = parsePipelineConfig(
  `tables:
     public.members:
       primaryKey: [id]
       index: members
       columns: {toString: integer}`,
  { indexPrefix: prefix },
);
const index = `${prefix}members`;

beforeAll(async () => {
  [database, search] = await Promise.all([startDatabase({ migrate: false }), openSearchTarget()]);
  await database.db.query(
    `CREATE TABLE public.members (id int PRIMARY KEY, "__proto__" text, "constructor" text, "toString" int)`,
  );
  await database.db.query(
    `INSERT INTO public.members SELECT g, 'p' || g, 'c' || g, g FROM generate_series(1, 3) AS g`,
  );
  const client = await database.db.connect();
  const relation = await describeTable(client, "public.members");
  const rows = await client.query<Record<string, string>>(
    `SELECT id::text, "__proto__", "constructor", "toString"::text FROM public.members ORDER BY id`,
  );
  client.release();
  const records = rows.rows.map((row, i) =>
    kinesisRecord({ partitionKey: `public.members.${row.id}`, data: loadRecord(relation, row, 0n).data }, i),
  );
  await indexThroughIndexer(search.url, pipeline, records);
});
afterAll(async () => {
  await search?.client.indices.delete({ index }).catch(() => undefined);
  await search?.close();
  await database?.stop();
});

describe("verify on columns named like Object members", () => {
  it("reports nothing when the index equals the table", async () => {
    const report = await verify({ database: database.url, search: exactClient(), pipeline, pageSize: 2 });
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([{ index, expected: 3, actual: 3, differences: 0 }]);
  });

  it("finds a changed __proto__ value", async () => {
    await database.db.query(`UPDATE public.members SET "__proto__" = 'changed' WHERE id = 2`);
    const report = await verify({ database: database.url, search: exactClient(), pipeline, pageSize: 2 });
    expect(report.differences.map((d) => `${d.kind} ${d.id}`)).toEqual(["differs 2"]);
    const { expected, actual } = report.differences[0] as { expected: object; actual: object };
    expect(Object.getOwnPropertyDescriptor(expected, "__proto__")?.value).toBe("changed");
    expect(Object.getOwnPropertyDescriptor(actual, "__proto__")?.value).toBe("p2");
    expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
  });
});
