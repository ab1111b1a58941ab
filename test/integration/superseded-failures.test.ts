/**
 * A record the indexer cannot index, whose row has changed since, settles as superseded (functions/indexer/
 * superseded.ts), over HTTP with the indexer's own client: what that rests on, as OpenSearch answers it
 * (the emulator, or a real cluster when OPENSEARCH_URL is set):
 * - a shard parses a document before its engine compares versions: a stale document with a value its
 *   mapping refuses is refused for that value (400), not as stale (409), and a stale one with a new
 *   field still maps the field;
 * - `_mget` with `_source=false` answers each document's version, exact past 2^53, and no source.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexerClient } from "../../functions/indexer/opensearch-client";
import { processBatch } from "../../functions/indexer/process-batch";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { changeRecord } from "../helpers/dms";
import { recordingLogger, TEST_BATCH_SETTINGS, testContext } from "../helpers/lambda";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
const prefix = uniquePrefix();
const index = `${prefix}orders`;
/** A version past 2^53, as the indexer's are (commit microseconds × 8192). */
const LATER = 1_700_000_000_000_000_123n;
/** One whose double prints the same digits (15 significant) but is another integer (…096). */
const ROUND = 1_788_940_491_366_180_000n;

beforeAll(async () => {
  search = await openSearchTarget();
});
afterAll(async () => {
  await search?.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  await search?.close();
});

const bulkItem = async (lines: object[]) => {
  const body = `${lines.map((l) => JSON.stringify(l).replace(/"__V(\d+)"/g, "$1")).join("\n")}\n`;
  const { body: reply } = await search.client.bulk({ body } as never);
  const item = Object.values((reply as { items: Record<string, unknown>[] }).items[0] ?? {})[0];
  return item as { status: number; error?: { type: string } };
};
const versioned = (id: string, version: bigint) => ({
  index: { _index: index, _id: id, version: `__V${version}`, version_type: "external_gte" },
});

describe("a document OpenSearch refuses, from a change older than the document", () => {
  beforeAll(async () => {
    expect((await bulkItem([versioned("1", LATER), { id: 1, note: 5 }])).status).toBe(201);
  });

  it("is refused for its value (mapper_parsing_exception), as the shard parses before it compares versions", async () => {
    const item = await bulkItem([versioned("1", LATER - 10n), { id: 1, note: "not a number" }]);
    expect(item).toMatchObject({ status: 400, error: { type: "mapper_parsing_exception" } });
  });

  it("maps a new field it brings, though it is stale (409)", async () => {
    const item = await bulkItem([versioned("1", LATER - 10n), { id: 1, note: 6, brand_new: "x" }]);
    expect(item.status).toBe(409);
    const { body } = await search.client.indices.getMapping({ index });
    const properties = (body as Record<string, { mappings: { properties: Record<string, unknown> } }>)[index]
      ?.mappings.properties;
    expect(Object.keys(properties ?? {})).toContain("brand_new");
  });
});

describe("the indexer's versions read", () => {
  it("answers each found document's version exactly, without its source; none for one missing", async () => {
    expect((await bulkItem([versioned("round", ROUND), { id: 2, note: 5 }])).status).toBe(201);
    const client = createIndexerClient({ endpoint: search.url, auth: "none", region: "us-east-1" });
    const versions = await client.versions(
      [
        { index, id: "1" },
        { index, id: "missing" },
        { index: `${prefix}no-such-index`, id: "1" },
        { index, id: "round" },
      ],
      { requestTimeout: 10_000 },
    );
    expect([...versions]).toEqual([
      [`${index}\u00001`, LATER],
      [`${index}\u0000round`, ROUND],
    ]);
    const { body } = await search.client.mget({ index, body: { ids: ["1"] }, _source: false } as never);
    expect((body as { docs: Record<string, unknown>[] }).docs[0]).not.toHaveProperty("_source");
  });

  it("lets the indexer settle a refused record whose row has changed since, over HTTP", async () => {
    const pipeline = parsePipelineConfig(
      "tables: {public.orders: {primaryKey: [id], index: orders, columns: {amount: number}}}",
      { indexPrefix: prefix },
    );
    const deps = {
      search: createIndexerClient({ endpoint: search.url, auth: "none", region: "us-east-1" }),
      sqs: undefined as never, // nothing may reach the dead-letter queue
      pipeline,
      logger: recordingLogger(),
      settings: { ...TEST_BATCH_SETTINGS, dlqUrl: "unused" },
    };
    const T0 = Date.UTC(2026, 11, 2, 12);
    await processBatch(
      [changeRecord({ op: "insert", row: { id: 7, amount: "7" }, commitMs: T0 + 1000 }, 0)],
      testContext(),
      deps,
    );
    const { response, stats } = await processBatch(
      [changeRecord({ op: "update", row: { id: 7, amount: "seven" }, commitMs: T0 }, 0)],
      testContext(),
      deps,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(stats).toMatchObject({ superseded: 1, deadLettered: 0 });
  });
});
