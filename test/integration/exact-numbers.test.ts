/**
 * A json column's numbers reach the index with every digit they were written with: the indexer writes them
 * as written (a double would round 12345678901234567.891), `_source` answers them so, and the field is
 * still mapped and searched as a number. Runs through the real indexer against the emulator, or a real
 * cluster when OPENSEARCH_URL is set. `_source` is read as text: a JSON client would round it again.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { dmsLine, kinesisRecord } from "../../tools/lib/kinesis-event";
import { indexThroughIndexer, openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

const AMOUNT = "12345678901234567.891";
const ID = "9007199254740993";
let search: SearchTarget;
let index: string;

/** The number texts of the `details` object in an answer's text, as written there. */
function detailsAsWritten(
  answer: string,
  path: (body: Record<string, unknown>) => unknown,
): Record<string, string> {
  const body = JSON.parse(answer, (_key, value, context?: { source?: string }) =>
    typeof value === "number" && context?.source !== undefined ? `#${context.source}` : value,
  );
  return path(body) as Record<string, string>;
}

beforeAll(async () => {
  search = await openSearchTarget();
  const prefix = uniquePrefix();
  index = `${prefix}ledger`;
  const pipeline = parsePipelineConfig(
    "tables: {public.ledger: {index: ledger, primaryKey: [id], columns: {details: json}}}",
    {
      indexPrefix: prefix,
    },
  );
  const details = `{"amount": ${AMOUNT}, "ref": ${ID}, "qty": 2, "rate": 0.25}`;
  const message = {
    data: { id: 1, details },
    metadata: {
      timestamp: "2026-12-01T10:00:00.000000Z",
      "record-type": "data",
      operation: "insert",
      "partition-key-type": "primary-key",
      "schema-name": "public",
      "table-name": "ledger",
      "transaction-id": 7,
      "commit-timestamp": "2026-12-01T10:00:00.000000Z",
      "transaction-record-id": 1,
    },
  };
  await indexThroughIndexer(search.url, pipeline, [
    kinesisRecord({ partitionKey: "public.ledger.1", data: dmsLine(message) }, 0),
  ]);
  await search.client.indices.refresh({ index });
});
afterAll(async () => {
  await search.client.indices.delete({ index }).catch(() => undefined);
  await search.close();
});

const text = async (path: string, body?: unknown) => {
  const response = await fetch(`${search.url}${path}`, {
    method: body === undefined ? "GET" : "POST",
    headers: { "content-type": "application/json" },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  expect(response.status).toBe(200);
  return response.text();
};

describe("numbers in a json column", () => {
  it("come back from _source with every digit", async () => {
    const doc = await text(`/${index}/_doc/1`);
    expect(detailsAsWritten(doc, (b) => (b._source as { details: unknown }).details)).toEqual({
      amount: `#${AMOUNT}`,
      ref: `#${ID}`,
      qty: "#2",
      rate: "#0.25",
    });
    const found = await text(`/${index}/_search`, { query: { match_all: {} } });
    expect(
      detailsAsWritten(
        found,
        (b) => (b.hits as { hits: { _source: { details: unknown } }[] }).hits[0]?._source.details,
      ),
    ).toMatchObject({ amount: `#${AMOUNT}`, ref: `#${ID}` });
  });

  it("are mapped and searched as numbers", async () => {
    const { body } = await search.client.indices.getMapping({ index });
    const details = body[index]?.mappings.properties?.details as {
      properties: Record<string, { type: string }>;
    };
    expect(details.properties.amount?.type).toBe("float");
    expect(details.properties.qty?.type).toBe("long");
    const { body: found } = await search.client.search({
      index,
      body: { query: { range: { "details.amount": { gte: 1e16 } } } },
    });
    expect((found.hits.hits as { _id: string }[]).map((h) => h._id)).toEqual(["1"]);
  });
});
