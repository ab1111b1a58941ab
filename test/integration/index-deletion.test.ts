/**
 * Deleting indices as OpenSearch does: a name, a comma-separated list or a pattern in one request; a
 * missing name fails the whole request (404) and deletes nothing, unless ignore_unavailable. The emulator,
 * or a real cluster (OPENSEARCH_URL).
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

let search: SearchTarget;
const prefix = uniquePrefix();
beforeAll(async () => {
  search = await openSearchTarget();
});
afterAll(async () => {
  await fetch(`${search.url}/${prefix}*`, { method: "DELETE" }).catch(() => undefined);
  await search.close();
});

const request = async (method: string, path: string) => {
  const response = await fetch(`${search.url}${path}`, { method });
  return { status: response.status, body: (await response.json()) as { error?: { type: string } } };
};
const exists = async (name: string) => (await fetch(`${search.url}/${name}`, { method: "HEAD" })).status;

it("deletes a list of indices in one request; a missing one fails it whole unless ignore_unavailable", async () => {
  for (const name of ["a", "b", "c", "d"])
    expect((await request("PUT", `/${prefix}${name}`)).status).toBe(200);

  const missing = await request("DELETE", `/${prefix}a,${prefix}nope`);
  expect(missing.status).toBe(404);
  expect(missing.body.error?.type).toBe("index_not_found_exception");
  expect(await exists(`${prefix}a`)).toBe(200); // nothing deleted

  expect((await request("DELETE", `/${prefix}a,${prefix}b`)).status).toBe(200);
  expect([await exists(`${prefix}a`), await exists(`${prefix}b`)]).toEqual([404, 404]);

  expect((await request("DELETE", `/${prefix}c,${prefix}nope?ignore_unavailable=true`)).status).toBe(200);
  expect(await exists(`${prefix}c`)).toBe(404);

  expect((await request("DELETE", `/${prefix}d*`)).status).toBe(200);
  expect(await exists(`${prefix}d`)).toBe(404);
});
