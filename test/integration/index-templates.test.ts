/**
 * Decimals are never truncated in the index: the indexer writes `numeric` columns as JSON numbers, so
 * without explicit mappings the first value `10` makes the field `long` and OpenSearch indexes a later
 * 10.75 as 10 (the emulator models this). With the rendered templates installed, range queries find it.
 * Runs against the emulator, or a real cluster when OPENSEARCH_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexerClient } from "../../functions/indexer/opensearch-client";
import { processBatch } from "../../functions/indexer/process-batch";
import { DEFAULT_INDEX_SETTINGS, renderIndexTemplates } from "../../shared/index-templates";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { changeRecord } from "../helpers/dms";
import { recordingLogger, TEST_BATCH_SETTINGS, testContext } from "../helpers/lambda";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
const prefixes: string[] = [];
beforeAll(async () => {
  search = await openSearchTarget();
});
afterAll(async () => {
  for (const prefix of prefixes) {
    await search.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
    for (const t of renderIndexTemplates(config(prefix)))
      await search.client.indices.deleteIndexTemplate({ name: t.name }).catch(() => undefined);
  }
  await search.close();
});

const config = (prefix: string) =>
  parsePipelineConfig(
    `tables:
       public.orders:
         primaryKey: [id]
         index: orders
         columns: {amount: {type: number, scale: 2}, placed_at: timestamp, paid: boolean}`,
    { indexPrefix: prefix },
  );

/** Two orders through the real indexer: 10.00 first (a whole number in JSON), then 10.75. */
async function indexOrders(prefix: string, withTemplates: boolean): Promise<string> {
  const pipeline = config(prefix);
  if (withTemplates)
    for (const t of renderIndexTemplates(pipeline, { ...DEFAULT_INDEX_SETTINGS, replicas: 0 }))
      await search.client.indices.putIndexTemplate({ name: t.name, body: t.body as never });
  const T0 = Date.UTC(2026, 10, 21, 14);
  const row = (id: number, amount: string) => ({
    id,
    amount,
    placed_at: "2026-11-21 14:00:00.123456",
    paid: "true",
  });
  const records = [
    changeRecord({ op: "insert", row: row(1, "10.00"), commitMs: T0 }, 0),
    changeRecord({ op: "insert", row: row(2, "10.75"), commitMs: T0 + 1 }, 1),
  ];
  const { response } = await processBatch(records, testContext(), {
    search: createIndexerClient({
      endpoint: search.url,
      auth: "none",
      region: "us-east-1",
    }),
    sqs: undefined as never,
    pipeline,
    logger: recordingLogger(),
    settings: { ...TEST_BATCH_SETTINGS, dlqUrl: "unused" },
  });
  expect(response.batchItemFailures).toEqual([]);
  const index = pipeline.routingFor("public", "orders").index;
  await search.client.indices.refresh({ index });
  return index;
}

const inRange = async (index: string) =>
  (
    await search.client.search({
      index,
      body: { query: { range: { amount: { gte: 10.5, lte: 11 } } } },
    })
  ).body.hits.hits.map((h) => (h as { _id: string })._id);

describe("index templates in OpenSearch", () => {
  it("with the rendered templates, amount 10.75 is found by a range query 10.5-11", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const index = await indexOrders(prefix, true);
    expect(await inRange(index)).toEqual(["2"]);
    const body = (await search.client.indices.getMapping({ index })).body as Record<
      string,
      { mappings: { properties: Record<string, { type: string }> } }
    >;
    const types = Object.fromEntries(
      Object.entries(body[index]?.mappings.properties ?? {}).map(([field, m]) => [field, m.type]),
    );
    expect(types).toMatchObject({ amount: "scaled_float", placed_at: "date", paid: "boolean" });
  });

  it("without them (dynamic mapping) the field is long and 10.75 is indexed as 10: the failure they prevent", async () => {
    const prefix = uniquePrefix();
    prefixes.push(prefix);
    const index = await indexOrders(prefix, false);
    expect(await inRange(index)).toEqual([]);
  });
});
