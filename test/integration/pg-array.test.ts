/**
 * PostgreSQL's own text of arrays (what DMS sends for an array column) read back by parsePgArray: any
 * text element (quotes, backslashes, braces, commas, white space, `NULL` as text, non-ASCII), null
 * elements, two dimensions, other element types and lower bounds other than 1, all rendered by a real
 * server.
 */
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePgArray } from "../../functions/indexer/pg-array";
import { startDatabase } from "../helpers/producer";

let database: Awaited<ReturnType<typeof startDatabase>>;
beforeAll(async () => {
  database = await startDatabase({ migrate: false });
});
afterAll(async () => {
  await database?.stop();
});

const rendered = async (sql: string, value?: unknown): Promise<string> =>
  (await database.db.query<{ t: string }>(sql, value === undefined ? [] : [value])).rows[0]?.t as string;

const tricky = fc.constantFrom(
  '"',
  "\\",
  "{",
  "}",
  ",",
  " ",
  "\t",
  "\n",
  "NULL",
  "null",
  "é",
  "😀",
  "a",
  "[1:2]=",
);
const text = fc
  .array(fc.oneof(tricky, fc.string({ maxLength: 5 })), { maxLength: 6 })
  .map((parts) => parts.join("").replaceAll("\u0000", ""));
const element = fc.option(text, { nil: null, freq: 6 });

describe("parsePgArray on PostgreSQL's text of arrays", () => {
  it("reads text[] back element for element", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(element, { maxLength: 8 }), async (list) => {
        expect(parsePgArray(await rendered("SELECT $1::text[]::text AS t", list))).toEqual(list);
      }),
      { numRuns: 300 },
    );
  });

  it("reads two-dimensional text[] back as nested lists", async () => {
    const matrix = fc
      .tuple(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 3 }))
      .chain(([rows, cols]) =>
        fc.array(fc.array(element, { minLength: cols, maxLength: cols }), {
          minLength: rows,
          maxLength: rows,
        }),
      );
    await fc.assert(
      fc.asyncProperty(matrix, async (rows) => {
        expect(parsePgArray(await rendered("SELECT $1::text[]::text AS t", rows))).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  });

  it("reads other element types as PostgreSQL writes them", async () => {
    expect(parsePgArray(await rendered("SELECT '{1,-2,NULL}'::int[]::text AS t"))).toEqual(["1", "-2", null]);
    expect(parsePgArray(await rendered("SELECT '{t,f}'::bool[]::text AS t"))).toEqual(["t", "f"]);
    expect(
      parsePgArray(await rendered("SELECT '{1.50,12345678901234567.891}'::numeric[]::text AS t")),
    ).toEqual(["1.50", "12345678901234567.891"]);
    expect(
      parsePgArray(await rendered("SELECT ARRAY['2026-11-21 09:15:02.5+00'::timestamptz]::text AS t")),
    ).toEqual(["2026-11-21 09:15:02.5+00"]);
    expect(parsePgArray(await rendered(`SELECT ARRAY['{"a": [1, "b,c"]}'::jsonb]::text AS t`))).toEqual([
      '{"a": [1, "b,c"]}',
    ]);
    const bounded = await rendered("SELECT '[0:2]={7,8,9}'::int[]::text AS t");
    expect(bounded).toBe("[0:2]={7,8,9}");
    expect(parsePgArray(bounded)).toEqual(["7", "8", "9"]);
    expect(parsePgArray(await rendered("SELECT '{}'::text[]::text AS t"))).toEqual([]);
  });
});
