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

describe("verify's second look", () => {
  const stock = parsePipelineConfig("tables: {public.stock: {primaryKey: [shop, sku], index: stock}}", {
    indexPrefix: prefix,
  });
  const stockIndex = `${prefix}stock`;
  const doc = (id: string, method: "PUT" | "DELETE", body?: unknown) =>
    fetch(`${search.url}/${stockIndex}/_doc/${encodeURIComponent(id)}?refresh=true`, {
      method,
      headers: { "content-type": "application/json" },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  const found = (report: { differences: { kind: string; id: string }[] }) =>
    report.differences.map((d) => `${d.kind} ${d.id}`).sort();
  beforeAll(async () => {
    await database.db.query(
      "CREATE TABLE public.stock (shop text, sku text, qty int, PRIMARY KEY (shop, sku))",
    );
    await database.db.query(
      "INSERT INTO public.stock VALUES ('north', 'a|1', 1), ('north', 'b', 2), ('south', 'c', 3), ('south', 'd', 4)",
    );
    await indexTableAsLoaded(database.db, search.url, stock, "public.stock");
  });

  it("does not report changes still on their way to the index; what still differs then is reported", async () => {
    // Committed and not yet indexed: an update (of a key holding the id's separator), an insert, a delete.
    await database.db.query("UPDATE public.stock SET qty = 10 WHERE sku = 'a|1'");
    await database.db.query("INSERT INTO public.stock VALUES ('south', 'e', 5)");
    await database.db.query("DELETE FROM public.stock WHERE sku = 'b'");
    // And one real difference: a document lost.
    expect((await doc("south|d", "DELETE")).status).toBe(200);
    const run = (more: Partial<Parameters<typeof verify>[0]>) =>
      verify({ database: database.url, search: exactClient(), pipeline: stock, ...more });

    const first = await run({ secondLookAfterMs: 0 });
    expect(found(first)).toEqual([
      "differs north|a%7C1",
      "extra north|b",
      "missing south|d",
      "missing south|e",
    ]);
    expect(first.goneOnSecondLook).toBeUndefined();

    const waited: number[] = [];
    const report = await run({
      secondLookAfterMs: 5_000,
      // Meanwhile the pipeline applies the three changes.
      wait: async (ms) => {
        waited.push(ms);
        await doc("north|a%7C1", "PUT", { shop: "north", sku: "a|1", qty: 10 });
        await doc("south|e", "PUT", { shop: "south", sku: "e", qty: 5 });
        await doc("north|b", "DELETE");
      },
    });
    expect(waited).toEqual([5_000]);
    expect(found(report)).toEqual(["missing south|d"]);
    expect(report.goneOnSecondLook).toBe(3);
    // The counts are the first look's, and say so: three differences were changes in flight then.
    expect(report.indices).toEqual([
      { index: stockIndex, expected: 4, actual: 3, differences: 1, goneOnSecondLook: 3 },
    ]);

    // A change still not applied on the second look is reported as it is then.
    await database.db.query("UPDATE public.stock SET qty = 11 WHERE sku = 'c'");
    const late = await run({
      secondLookAfterMs: 1,
      wait: async () => {
        await database.db.query("UPDATE public.stock SET qty = 12 WHERE sku = 'c'");
      },
    });
    expect(late.differences.find((d) => d.id === "south|c")).toMatchObject({
      kind: "differs",
      fields: [{ field: "qty", expected: 12, actual: 3 }],
    });
  });
});

describe("verify of a row the indexer refuses", () => {
  const notes = parsePipelineConfig(
    "tables: {public.notes_json: {primaryKey: [id], index: notes-json, columns: {meta: json}}}",
    {
      indexPrefix: prefix,
    },
  );
  it("lists it as refused, and its document from an earlier change is not an extra", async () => {
    await database.db.query("CREATE TABLE public.notes_json (id int PRIMARY KEY, meta jsonb)");
    await database.db.query(`INSERT INTO public.notes_json VALUES (1, '{"a": 1}'), (2, '{"b": 2}')`);
    await indexTableAsLoaded(database.db, search.url, notes, "public.notes_json");
    // A later change the indexer refuses (a json column holding a string): the index keeps the earlier one.
    await database.db.query(`UPDATE public.notes_json SET meta = '"just text"' WHERE id = 1`);
    const report = await verify({ database: database.url, search: exactClient(), pipeline: notes });
    expect(report.unindexable).toEqual([
      expect.objectContaining({
        table: "public.notes_json",
        key: "1",
        reason: expect.stringContaining("a json column takes a JSON object"),
      }),
    ]);
    expect(report.differences).toEqual([]);
    expect(report.indices).toEqual([
      { index: `${prefix}notes-json`, expected: 1, actual: 2, differences: 0 },
    ]);
  });
});

describe("verify of a table the database no longer has (dropped)", () => {
  const config = parsePipelineConfig(
    `tables:
       public.kept: {primaryKey: [id], index: kept}
       public.dropped: {primaryKey: [id], index: dropped}`,
    { indexPrefix: prefix },
  );
  it("skips it, and its index's documents stay extras through the second look (no row to look at)", async () => {
    for (const table of ["kept", "dropped"]) {
      await database.db.query(`CREATE TABLE public.${table} (id int PRIMARY KEY, name text)`);
      await database.db.query(`INSERT INTO public.${table} VALUES (1, 'a'), (2, 'b')`);
      await indexTableAsLoaded(database.db, search.url, config, `public.${table}`);
    }
    await database.db.query("DROP TABLE public.dropped");
    const report = await verify({
      database: database.url,
      search: exactClient(),
      pipeline: config,
      secondLookAfterMs: 1,
      wait: async () => undefined,
    });
    expect(report.skippedTables).toEqual(["public.dropped"]);
    expect(report.differences.map((d) => [d.kind, d.index, d.id])).toEqual([
      ["extra", `${prefix}dropped`, "1"],
      ["extra", `${prefix}dropped`, "2"],
    ]);
    expect(report.goneOnSecondLook).toBe(0);
  });
});
