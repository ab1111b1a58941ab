/**
 * Fields named like JavaScript's Object members (`constructor`, `toString`, `__proto__`) are fields like
 * any other in OpenSearch: mapped, stored, searched and filtered as such. The indexer sends them since it
 * reads rows by own properties; the emulator must not read them through an object's prototype either.
 * Runs against the emulator, or a real cluster when OPENSEARCH_URL is set.
 */
import type { Client } from "@opensearch-project/opensearch";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { localSearchClient } from "../../operator/lib/search-client";
import { ownValue } from "../../shared/own-properties";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
let client: Client;
let index: string;
beforeAll(async () => {
  search = await openSearchTarget();
  // It reads `__proto__` fields on purpose: the tools' client allows them (operator/lib/search-client.ts).
  client = localSearchClient(search.url, { maxRetries: 0 });
  index = `${uniquePrefix()}members`;
  // Parsed, not written as a literal: `__proto__` in a literal would set the prototype, not a field.
  const members = JSON.parse('{"constructor": "c1", "toString": 5, "__proto__": {"inner": "p"}}');
  await client.index({ index, id: "1", body: members, refresh: true });
  await client.index({ index, id: "2", body: { name: "plain" }, refresh: true });
});
afterAll(async () => {
  await client.indices.delete({ index: `${index}*` }).catch(() => undefined);
  await client.close();
  await search.close();
});

const hits = async (query: Record<string, unknown>) => {
  const { body } = await client.search({ index, body: { query } });
  return (body.hits.hits as { _id: string }[]).map((h) => h._id).sort();
};

describe("fields named like Object members", () => {
  it("are mapped from the documents that have them", async () => {
    const { body } = await client.indices.getMapping({ index });
    type Field = { type?: string; properties?: Record<string, Field> };
    const properties = body[index]?.mappings.properties as Record<string, Field>;
    expect(Object.keys(properties).sort()).toEqual(["__proto__", "constructor", "name", "toString"]);
    const field = (name: string) => ownValue(properties, name);
    expect(field("constructor")?.type).toBe("text");
    expect(field("toString")?.type).toBe("long");
    expect(ownValue(field("__proto__")?.properties, "inner")?.type).toBe("text");
  });

  it("keep an explicit mapping", async () => {
    const explicit = `${index}-explicit`;
    const mappings = JSON.parse(
      '{"properties": {"__proto__": {"type": "keyword"}, "valueOf": {"type": "long"}}}',
    );
    await client.indices.create({ index: explicit, body: { mappings } });
    const { body } = await client.indices.getMapping({ index: explicit });
    const properties = body[explicit]?.mappings.properties as Record<string, { type?: string }>;
    expect(Object.keys(properties).sort()).toEqual(["__proto__", "valueOf"]);
    expect(ownValue(properties, "__proto__")?.type).toBe("keyword");
    expect(ownValue(properties, "valueOf")?.type).toBe("long");
  });

  it("are found by the documents that have them, and only those", async () => {
    expect(await hits({ exists: { field: "constructor" } })).toEqual(["1"]);
    expect(await hits({ exists: { field: "toString" } })).toEqual(["1"]);
    expect(await hits({ exists: { field: "__proto__.inner" } })).toEqual(["1"]);
    expect(await hits({ term: { "constructor.keyword": "c1" } })).toEqual(["1"]);
    expect(await hits({ range: { toString: { gte: 5, lte: 5 } } })).toEqual(["1"]);
    expect(await hits({ match: { "__proto__.inner": "p" } })).toEqual(["1"]);
    expect(await hits({ bool: { must_not: { exists: { field: "constructor" } } } })).toEqual(["2"]);
  });

  it("come back in _source and through filter_path as own fields", async () => {
    const { body } = await client.get({
      index,
      id: "1",
      filter_path: "_source.__proto__,_source.constructor",
    } as never);
    const source = (body as { _source: Record<string, unknown> })._source;
    expect(Object.hasOwn(source, "__proto__")).toBe(true);
    expect(JSON.stringify(source)).toBe('{"constructor":"c1","__proto__":{"inner":"p"}}');
  });
});
