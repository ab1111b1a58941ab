/**
 * How deep a document may nest: OpenSearch reads 1000 levels (`opensearch.xcontent.depth.max`, the
 * document's root being the first) and refuses the item beyond, while the rest of the bulk request applies.
 * The indexer refuses deeper values before sending (shared/exact-json.ts). Runs against the emulator, or a
 * real cluster when OPENSEARCH_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MAX_JSON_DEPTH } from "../../shared/exact-json";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
let index: string;
beforeAll(async () => {
  search = await openSearchTarget();
  index = `${uniquePrefix()}depth`;
});
afterAll(async () => {
  await search.client.indices.delete({ index }).catch(() => undefined);
  await search.close();
});

const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;

describe("document depth", () => {
  it("is read to 1000 levels; a deeper item is refused and the others apply", async () => {
    expect(MAX_JSON_DEPTH).toBe(1000);
    const body = [
      `{"index":{"_index":"${index}","_id":"at-limit"}}`,
      `{"a":${nested(MAX_JSON_DEPTH - 1)}}`,
      `{"index":{"_index":"${index}","_id":"past-limit"}}`,
      `{"a":${nested(MAX_JSON_DEPTH)}}`,
      `{"index":{"_index":"${index}","_id":"flat"}}`,
      `{"a":1}`,
      "",
    ].join("\n");
    const response = await fetch(`${search.url}/_bulk?refresh=true`, {
      method: "POST",
      headers: { "content-type": "application/x-ndjson" },
      body,
    });
    expect(response.status).toBe(200);
    const answer = (await response.json()) as { errors: boolean; items: { index: { status: number } }[] };
    expect(answer.errors).toBe(true);
    expect(answer.items.map((i) => i.index.status)).toEqual([201, 400, 201]);
  });
});
