/**
 * Numbers a numeric field cannot hold are refused per item, as OpenSearch refuses them: a floating type
 * takes only finite values (1e309 into a double, 3.5e38 into a float, 65520 into a half_float), a
 * whole-number type only its range, judged on the digits as sent (2^63 is refused, 2^63 - 1 taken, though
 * a double cannot tell them apart). Bodies are sent as text so every digit arrives as written. Runs
 * against the emulator, or a real cluster when OPENSEARCH_URL is set.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
let index: string;
let dynamicIndex: string;

const TYPES = ["long", "integer", "short", "byte", "double", "float", "half_float", "scaled_float"] as const;
type NumericType = (typeof TYPES)[number];

/** The largest value (as written) each type holds, and the least that it refuses. */
const LIMITS: Record<NumericType, { held: string[]; refused: string[] }> = {
  long: {
    held: ["9223372036854775807", "-9223372036854775808", "12.9"],
    refused: ["9223372036854775808", "-9223372036854775809", "1e19"],
  },
  integer: { held: ["2147483647", "-2147483648"], refused: ["2147483648", "-2147483649"] },
  short: { held: ["32767", "-32768"], refused: ["32768", "-32769"] },
  byte: { held: ["127", "-128", "127.5"], refused: ["128", "-129"] },
  double: { held: ["1.7976931348623157e308", "-1e308"], refused: ["1e309", "-1e400", '"NaN"'] },
  float: { held: ["3.4028234e38", "-3.4e38"], refused: ["3.5e38", "-1e39"] },
  half_float: { held: ["65504", "-65519"], refused: ["65520", "-1e6"] },
  scaled_float: { held: ["1e300"], refused: ["1e309"] },
};

async function bulk(lines: string[]): Promise<{ status: number; error?: { type: string } }[]> {
  const response = await fetch(`${search.url}/_bulk?refresh=true`, {
    method: "POST",
    headers: { "content-type": "application/x-ndjson" },
    body: `${lines.join("\n")}\n`,
  });
  expect(response.status).toBe(200);
  const answer = (await response.json()) as {
    items: { index: { status: number; error?: { type: string } } }[];
  };
  return answer.items.map((i) => i.index);
}

beforeAll(async () => {
  search = await openSearchTarget();
  const prefix = uniquePrefix();
  index = `${prefix}numbers`;
  dynamicIndex = `${prefix}numbers-dynamic`;
  const properties = Object.fromEntries(
    TYPES.map((t) => [t, t === "scaled_float" ? { type: t, scaling_factor: 100 } : { type: t }]),
  );
  await search.client.indices.create({ index, body: { mappings: { properties } } });
});
afterAll(async () => {
  await search.client.indices.delete({ index: [index, dynamicIndex] }).catch(() => undefined);
  await search.close();
});

describe("numbers out of a field's range", () => {
  it.each(TYPES)("%s: values in range are indexed, values beyond it refused per item", async (type) => {
    const { held, refused } = LIMITS[type];
    const values = [...held, ...refused];
    const items = await bulk(
      values.flatMap((value, i) => [
        JSON.stringify({ index: { _index: index, _id: `${type}-${i}` } }),
        `{"${type}": ${value}}`,
      ]),
    );
    expect(items.map((i) => i.status)).toEqual([...held.map(() => 201), ...refused.map(() => 400)]);
    for (const item of items.slice(held.length)) expect(item.error?.type).toBe("mapper_parsing_exception");
  });

  it("a dynamically mapped number beyond a double's range is refused, and maps nothing", async () => {
    const items = await bulk([
      JSON.stringify({ index: { _index: dynamicIndex, _id: "huge" } }),
      '{"n": 1e400}',
      JSON.stringify({ index: { _index: dynamicIndex, _id: "fine" } }),
      '{"m": 1.5}',
    ]);
    expect(items.map((i) => i.status)).toEqual([400, 201]);
    const { body } = await search.client.indices.getMapping({ index: dynamicIndex });
    expect(Object.keys(body[dynamicIndex]?.mappings.properties ?? {})).toEqual(["m"]);
  });
});
