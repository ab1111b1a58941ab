/**
 * The emulator indexes values as OpenSearch's field types do (what queries see), not as `_source` shows
 * them: the fidelity the decimal-truncation tests stand on.
 */
import { describe, expect, it } from "vitest";
import { OpenSearchEmulator } from "../../../tools/opensearch-emulator/server";

function emulatorWith(mappings: Record<string, unknown>, settings: Record<string, unknown> = {}) {
  const emulator = new OpenSearchEmulator();
  // Writes refresh, as a test against a real cluster must before it searches.
  const call = (method: string, path: string, body?: unknown) =>
    emulator.handle(
      method,
      new URL(
        `http://emulator${path}${/\/_(doc|bulk)/.test(path) ? `${path.includes("?") ? "&" : "?"}refresh=true` : ""}`,
      ),
      body === undefined ? "" : JSON.stringify(body),
    );
  call("PUT", "/t", { settings, mappings });
  return { emulator, call };
}
const ids = (result: [number, unknown]) =>
  (result[1] as { hits: { hits: { _id: string }[] } }).hits.hits.map((h) => h._id).sort();

describe("emulated field types", () => {
  it("refuses a dynamic object deeper than index.mapping.depth.limit (20, the root being 1); flat_object is not mapped", () => {
    const nest = (levels: number): unknown => (levels === 0 ? "leaf" : { n: nest(levels - 1) });
    const { call } = emulatorWith({ properties: { free: { type: "flat_object" } } });
    expect(call("PUT", "/t/_doc/1", { a: nest(19) })[0]).toBe(201); // objects a ... n: levels 2 to 20
    const refused = call("PUT", "/t/_doc/2", { b: nest(20) });
    expect(refused).toMatchObject([
      400,
      {
        error: {
          type: "illegal_argument_exception",
          reason: `Limit of mapping depth [20] has been exceeded due to object field [b${".n".repeat(19)}]`,
        },
      },
    ]);
    expect(call("PUT", "/t/_doc/3", { free: nest(40) })[0]).toBe(201);
    const { call: deeper } = emulatorWith({}, { "index.mapping.depth.limit": 30 });
    expect(deeper("PUT", "/t/_doc/1", { b: nest(20) })[0]).toBe(201);
  });

  it("refuses a metadata field's name at a document's top level only, in a bulk item too", () => {
    const { call, emulator } = emulatorWith({});
    const refused = call("PUT", "/t/_doc/1", { _id: "x", name: "a" });
    expect(refused[0]).toBe(400);
    expect(refused[1]).toMatchObject({
      error: {
        type: "mapper_parsing_exception",
        reason:
          "Field [_id] is a metadata field and cannot be added inside a document. Use the index API request parameters.",
      },
    });
    // A dotted name is the path of an object field: `_source.x` is `_source: {x}`, refused too.
    expect(call("PUT", "/t/_doc/2", { "_source.x": 1 })[0]).toBe(400);
    expect(call("PUT", "/t/_doc/3", { a: { _id: "x", _version: 1 }, _doc_count: 2 })[0]).toBe(201);
    const bulk = emulator.handle(
      "POST",
      new URL("http://emulator/t/_bulk"),
      `${['{"index":{"_id":"4"}}', '{"_version":3}', '{"index":{"_id":"5"}}', '{"version":3}'].join("\n")}\n`,
    );
    expect((bulk[1] as { items: { index: { status: number } }[] }).items.map((i) => i.index.status)).toEqual([
      400, 201,
    ]);
  });

  it("truncates a fraction indexed into a long field (range misses it; _source keeps it)", () => {
    const { call } = emulatorWith({ properties: { amount: { type: "long" } } });
    call("PUT", "/t/_doc/1", { amount: 10.75 });
    expect(ids(call("POST", "/t/_search", { query: { range: { amount: { gte: 10.5, lte: 11 } } } }))).toEqual(
      [],
    );
    expect(ids(call("POST", "/t/_search", { query: { term: { amount: 10 } } }))).toEqual(["1"]);
    expect((call("GET", "/t/_doc/1")[1] as { _source: unknown })._source).toEqual({ amount: 10.75 });
  });

  it("rounds scaled_float to its factor and keeps double exact", () => {
    const { call } = emulatorWith({
      properties: { cents: { type: "scaled_float", scaling_factor: 100 }, d: { type: "double" } },
    });
    call("PUT", "/t/_doc/1", { cents: 10.754, d: 10.754 });
    expect(ids(call("POST", "/t/_search", { query: { term: { cents: 10.75 } } }))).toEqual(["1"]);
    expect(ids(call("POST", "/t/_search", { query: { term: { d: 10.754 } } }))).toEqual(["1"]);
  });

  it("maps dynamic numbers by the index's dynamic templates", () => {
    const { call, emulator } = emulatorWith({
      dynamic_templates: [{ n: { match_mapping_type: "long", mapping: { type: "double" } } }],
    });
    call("PUT", "/t/_doc/1", { price: 10 });
    call("PUT", "/t/_doc/2", { price: 10.75 });
    expect(emulator.indices.get("t")?.mappings.properties.price?.type).toBe("double");
    expect(ids(call("POST", "/t/_search", { query: { range: { price: { gt: 10.5 } } } }))).toEqual(["2"]);
  });

  it("refuses an epoch number in a date field whose format is strict_date_optional_time only", () => {
    const { call } = emulatorWith({
      properties: { at: { type: "date", format: "strict_date_optional_time" } },
    });
    expect(call("PUT", "/t/_doc/1", { at: "2026-11-21T14:00:00.123456Z" })[0]).toBe(201);
    expect(call("PUT", "/t/_doc/2", { at: 1_795_000_000_000 })[0]).toBe(400);
    expect(call("PUT", "/t/_doc/3", { at: "2026-11-21 14:00:00" })[0]).toBe(400);
  });

  it("takes any object shape in a flat_object field, and refuses a concrete value", () => {
    const { call } = emulatorWith({ properties: { data: { type: "flat_object" } } });
    expect(call("PUT", "/t/_doc/1", { data: { a: 1 } })[0]).toBe(201);
    expect(call("PUT", "/t/_doc/2", { data: { a: { b: "x" } } })[0]).toBe(201);
    expect(call("PUT", "/t/_doc/3", { data: "text" })[0]).toBe(400);
  });

  it("keeps delete tombstones for the index's own index.gc_deletes", () => {
    const { call } = emulatorWith({}, { index: { gc_deletes: "1h" } });
    call("DELETE", "/t/_doc/1?version=5&version_type=external_gte");
    expect(call("PUT", "/t/_doc/1?version=4&version_type=external_gte", { a: 1 })[0]).toBe(409);
    const zero = emulatorWith({}, { "index.gc_deletes": "0s" }).call;
    zero("DELETE", "/t/_doc/1?version=5&version_type=external_gte");
    expect(zero("PUT", "/t/_doc/1?version=4&version_type=external_gte", { a: 1 })[0]).toBe(201);
  });
});
