/**
 * `verify` pages through both sides: rows through a cursor, their documents with `_mget` per page, and a
 * scroll over each index for extras. With a page of two rows it still finds every kind of difference (a
 * row changed without its document, a document deleted, a row never indexed, a document no row expects)
 * and reports progress per page. It compares a json column's numbers digit for digit, and columns named
 * like Object members (`__proto__`) as the fields they are. Real PostgreSQL; the emulator, or a real
 * cluster (OPENSEARCH_URL).
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSearchClient } from "../../operator/lib/search-client";
import { type VerifyProgress, verify } from "../../operator/verify/verify";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { startDatabase } from "../helpers/producer";
import { indexTableAsLoaded, openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

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
  await indexTableAsLoaded(database.db, search.url, pipeline, "public.items");
});
afterAll(async () => {
  await search?.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
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

describe("verify on a json column's numbers", () => {
  const ledger = parsePipelineConfig(
    "tables: {public.ledger: {primaryKey: [id], index: ledger, columns: {details: json}}}",
    { indexPrefix: prefix },
  );
  const run = () => verify({ database: database.url, search: exactClient(), pipeline: ledger, pageSize: 10 });
  beforeAll(async () => {
    await database.db.query("CREATE TABLE public.ledger (id int PRIMARY KEY, details jsonb)");
    await database.db.query(
      `INSERT INTO public.ledger VALUES (1, '{"amount": 12345678901234567.891}'), (2, '{"amount": 2.5}')`,
    );
    await indexTableAsLoaded(database.db, search.url, ledger, "public.ledger");
  });

  it("reports nothing when every digit is in the index", async () => {
    const report = await run();
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([{ index: `${prefix}ledger`, expected: 2, actual: 2, differences: 0 }]);
  });

  it("finds a number that lost digits, and shows both with every digit", async () => {
    // The document as a double would have it (as the indexer once wrote it): 12345678901234568.
    const put = await fetch(`${search.url}/${prefix}ledger/_doc/1?refresh=true`, {
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

describe("verify of the tables named", () => {
  it("reads only those tables and their indices; an index another table shares is not scanned for extras", async () => {
    const both = parsePipelineConfig(
      `tables:
         public.items: {primaryKey: [id], index: items, columns: {price: {type: number, scale: 2}}}
         public.ledger: {primaryKey: [id], index: ledger, columns: {details: json}}`,
      { indexPrefix: prefix },
    );
    const progress: VerifyProgress[] = [];
    const only = await verify({
      database: database.url,
      search: exactClient(),
      pipeline: both,
      tables: ["public.ledger"],
      onProgress: (p) => progress.push(p),
    });
    expect(only.indices.map((i) => i.index)).toEqual([`${prefix}ledger`]);
    expect([...new Set(progress.map((p) => p.table ?? p.index))]).toEqual([
      "public.ledger",
      `${prefix}ledger`,
    ]);

    // The items index also holds a stray document (99) from the test above: a table sharing the index
    // could own it, so naming public.items alone reports what it expects, not extras.
    const shared = parsePipelineConfig(
      `tables:
         public.items: {primaryKey: [id], index: items, columns: {price: {type: number, scale: 2}}}
         public.ledger: {primaryKey: [id], index: items, columns: {details: json}}`,
      { indexPrefix: prefix },
    );
    const report = await verify({
      database: database.url,
      search: exactClient(),
      pipeline: shared,
      tables: ["public.items"],
    });
    expect(report.differences.filter((d) => d.kind === "extra")).toEqual([]);
    expect(report.indices).toEqual([
      {
        index,
        expected: 6,
        actual: 6 - report.differences.filter((d) => d.kind === "missing").length,
        differences: report.differences.length,
      },
    ]);
  });
});

describe("verify on columns named like Object members", () => {
  // Before, the OpenSearch client refused every answer that held a `__proto__` field, and the rows read
  // from the table lost it.
  const members = parsePipelineConfig(
    "tables: {public.members: {primaryKey: [id], index: members, columns: {toString: integer}}}",
    { indexPrefix: prefix },
  );
  const run = () => verify({ database: database.url, search: exactClient(), pipeline: members, pageSize: 2 });
  beforeAll(async () => {
    await database.db.query(
      `CREATE TABLE public.members (id int PRIMARY KEY, "__proto__" text, "constructor" text, "toString" int)`,
    );
    await database.db.query(
      `INSERT INTO public.members SELECT g, 'p' || g, 'c' || g, g FROM generate_series(1, 3) AS g`,
    );
    await indexTableAsLoaded(database.db, search.url, members, "public.members");
  });

  it("reports nothing when the index equals the table", async () => {
    const report = await run();
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([{ index: `${prefix}members`, expected: 3, actual: 3, differences: 0 }]);
  });

  it("finds a changed __proto__ value", async () => {
    await database.db.query(`UPDATE public.members SET "__proto__" = 'changed' WHERE id = 2`);
    const report = await run();
    expect(report.differences.map((d) => `${d.kind} ${d.id}`)).toEqual(["differs 2"]);
    const { expected, actual } = report.differences[0] as { expected: object; actual: object };
    expect(Object.getOwnPropertyDescriptor(expected, "__proto__")?.value).toBe("changed");
    expect(Object.getOwnPropertyDescriptor(actual, "__proto__")?.value).toBe("p2");
    expect(Object.getPrototypeOf(actual)).toBe(Object.prototype);
  });
});
