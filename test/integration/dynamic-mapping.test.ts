/**
 * Dynamic mapping as OpenSearch answers it: a string is `text` with a `keyword` sub-field that skips values
 * over 256 characters, an object field is shown by its properties (no `"type": "object"`), fields come
 * back sorted by name. Runs against the emulator, or a real cluster when OPENSEARCH_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
let index: string;
const long = "y".repeat(257);
beforeAll(async () => {
  search = await openSearchTarget();
  index = `${uniquePrefix()}dynamic`;
  await search.client.index({ index, id: "short", body: { title: "x".repeat(256), meta: { b: 1, a: "z" } } });
  await search.client.index({ index, id: "long", body: { title: long, empty: {} }, refresh: true });
});
afterAll(async () => {
  await search.client.indices.delete({ index }).catch(() => undefined);
  await search.close();
});

const hits = async (query: Record<string, unknown>) => {
  const { body } = await search.client.search({ index, body: { query } });
  return (body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

describe("dynamic mapping", () => {
  it("is answered as OpenSearch writes it", async () => {
    const { body } = await search.client.indices.getMapping({ index });
    const properties = body[index]?.mappings.properties;
    expect(JSON.stringify(properties)).toBe(
      JSON.stringify({
        empty: { type: "object" },
        meta: {
          properties: {
            a: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
            b: { type: "long" },
          },
        },
        title: { type: "text", fields: { keyword: { type: "keyword", ignore_above: 256 } } },
      }),
    );
  });

  it("maps a number by how it is written and answers _source as sent", async () => {
    const numbers = `${index}-numbers`;
    const text = '{"point":2.0,"whole":3,"exponent":1e3,"zeros":1.50,"negzero":-0}';
    const put = await fetch(`${search.url}/${numbers}/_doc/1?refresh=true`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: text,
    });
    expect(put.status).toBe(201);
    try {
      const { body } = await search.client.indices.getMapping({ index: numbers });
      const types = Object.fromEntries(
        Object.entries(body[numbers]?.mappings.properties as Record<string, { type: string }>).map(
          ([field, mapping]) => [field, mapping.type],
        ),
      );
      expect(types).toEqual({
        exponent: "float",
        negzero: "long",
        point: "float",
        whole: "long",
        zeros: "float",
      });
      const source = await fetch(`${search.url}/${numbers}/_source/1`);
      expect(await source.text()).toBe(text);
    } finally {
      await search.client.indices.delete({ index: numbers });
    }
  });

  it("leaves a string over 256 characters out of the keyword sub-field, not out of the text field", async () => {
    expect(await hits({ term: { "title.keyword": "x".repeat(256) } })).toEqual(["short"]);
    expect(await hits({ term: { "title.keyword": long } })).toEqual([]);
    expect(await hits({ exists: { field: "title.keyword" } })).toEqual(["short"]);
    expect(await hits({ match: { title: long } })).toEqual(["long"]);
    const { body } = await search.client.get({ index, id: "long" });
    expect((body._source as { title: string }).title).toBe(long);
  });

  it("maps a dotted field name (a column named a.b) as a path of objects, the source kept as sent", async () => {
    const dotted = `${index}-dotted`;
    const put = (id: string, body: string) =>
      fetch(`${search.url}/${dotted}/_doc/${id}?refresh=true`, {
        method: "PUT",
        headers: { "content-type": "application/json" },
        body,
      });
    try {
      const text = '{"a.b":1,"c":{"d.e":true},"c.f":false}';
      expect((await put("1", text)).status).toBe(201);
      const { body } = await search.client.indices.getMapping({ index: dotted });
      expect(body[dotted]?.mappings.properties).toEqual({
        a: { properties: { b: { type: "long" } } },
        c: { properties: { d: { properties: { e: { type: "boolean" } } }, f: { type: "boolean" } } },
      });
      expect(await (await fetch(`${search.url}/${dotted}/_source/1`)).text()).toBe(text);
      for (const query of [
        { term: { "a.b": 1 } },
        { term: { "c.d.e": true } },
        { exists: { field: "c.f" } },
      ]) {
        const found = await search.client.search({ index: dotted, body: { query } });
        expect((found.body.hits.hits as unknown[]).length, JSON.stringify(query)).toBe(1);
      }
      // A dotted name and an object of the same path merge field by field.
      expect((await put("6", '{"m.n":{"c":1},"m":{"n":{"d":2}}}')).status).toBe(201);
      const merged = (await search.client.indices.getMapping({ index: dotted })).body[dotted]?.mappings
        .properties as Record<string, unknown>;
      expect(merged.m).toEqual({
        properties: { n: { properties: { c: { type: "long" }, d: { type: "long" } } } },
      });
      // A null is no value: a path goes through it (two columns pref and pref.lang, pref null).
      expect((await put("7", '{"n":null,"n.o":1}')).status).toBe(201);
      expect((await put("8", '{"p.q":1,"p":null}')).status).toBe(201);
      const withNulls = (await search.client.indices.getMapping({ index: dotted })).body[dotted]?.mappings
        .properties as Record<string, unknown>;
      expect([withNulls.n, withNulls.p]).toEqual([
        { properties: { o: { type: "long" } } },
        { properties: { q: { type: "long" } } },
      ]);
      // Java's split drops trailing empty parts: `t.` is the field t; a field given twice (`u` and `u.`, `k.l`
      // and `k: {l}`) holds both values; a path goes on through a list of objects.
      for (const [id, text] of [
        ["12", '{"t.":1}'],
        ["13", '{"u":1,"u.":2}'],
        ["14", '{"k.l":3,"k":{"l":4}}'],
        ["15", '{"g":[{"h":1}],"g.i":2}'],
      ] as const)
        expect((await put(id, text)).status, text).toBe(201);
      const withTrailing = (await search.client.indices.getMapping({ index: dotted })).body[dotted]?.mappings
        .properties as Record<string, unknown>;
      expect([withTrailing.t, withTrailing.u, withTrailing.k, withTrailing.g]).toEqual([
        { type: "long" },
        { type: "long" },
        { properties: { l: { type: "long" } } },
        { properties: { h: { type: "long" }, i: { type: "long" } } },
      ]);
      for (const [query, id] of [
        [{ term: { t: 1 } }, "12"],
        [{ term: { u: 2 } }, "13"],
        [{ term: { u: 1 } }, "13"],
        [{ term: { "k.l": 3 } }, "14"],
        [{ term: { "k.l": 4 } }, "14"],
        [{ term: { "g.i": 2 } }, "15"],
      ] as const) {
        const found = await search.client.search({ index: dotted, body: { query } });
        expect(
          (found.body.hits.hits as { _id: string }[]).map((h) => h._id),
          JSON.stringify(query),
        ).toEqual([id]);
      }
      // A path through a value, an empty part other than at the end, a blank part or dots only is refused
      // (and the document with it).
      for (const [id, bad] of [
        ["2", '{"a":5}'],
        ["3", '{"x":1,"x.y":2}'],
        ["4", '{".z":1}'],
        ["5", '{"z..w":1}'],
        ["16", '{".":1}'],
        ["17", '{"y. ":1}'],
        // An empty name (a jsonb value may hold one): refused wherever it sits, its value null too.
        ["9", '{"":1}'],
        ["10", '{"q":{"":null}}'],
        ["11", '{"q":[{"r":1},{"":2}]}'],
      ] as const) {
        const refused = await put(id, bad);
        expect(refused.status, bad).toBe(400);
        expect(((await refused.json()) as { error: { type: string } }).error.type).toBe(
          "mapper_parsing_exception",
        );
      }
    } finally {
      await search.client.indices.delete({ index: dotted });
    }
  });
});
