/**
 * Updates in the emulator beyond what OpenSearch's update YAML tests check: a partial update and an
 * upsert survive a restart from the journal as they were answered, a bulk update auto-creates its index,
 * and a scripted update is refused as not emulated rather than misread.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { OpenSearchEmulator } from "../../../tools/opensearch-emulator/server";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const call = (e: OpenSearchEmulator, method: string, path: string, body: unknown = "") =>
  e.handle(method, new URL(`http://emulator${path}`), typeof body === "string" ? body : JSON.stringify(body));

describe("updates", () => {
  it("survive a restart as they were answered: merged, no-op, upserted", () => {
    const dataDir = mkdtempSync(join(tmpdir(), "emulator-updates-"));
    dirs.push(dataDir);
    const first = new OpenSearchEmulator({ dataDir });
    call(first, "PUT", "/t/_doc/1", { a: { x: 1, y: 2 }, b: [1, 2] });
    expect(call(first, "POST", "/t/_update/1", { doc: { a: { x: 3 }, b: [9] } })[0]).toBe(200);
    expect(call(first, "POST", "/t/_update/1", { doc: { b: [9] } })[1]).toMatchObject({
      result: "noop",
      _version: 2n,
    });
    expect(call(first, "POST", "/t/_update/2", { doc: { z: 1 }, upsert: { z: 0 } })[0]).toBe(201);
    const restarted = new OpenSearchEmulator({ dataDir });
    for (const e of [first, restarted]) {
      expect(e.indices.get("t")?.docs.get("1")).toMatchObject({
        source: { a: { x: 3, y: 2 }, b: [9] },
        version: 2n,
      });
      expect(e.indices.get("t")?.docs.get("2")).toMatchObject({ source: { z: 0 }, version: 1n });
    }
  });

  it("auto-creates the index for a bulk update even when the document is missing", () => {
    const e = new OpenSearchEmulator();
    const [, reply] = call(e, "POST", "/_bulk", '{"update":{"_index":"fresh","_id":"1"}}\n{"doc":{"a":1}}\n');
    expect(
      (reply as { items: { update: { status: number; error: { type: string } } }[] }).items[0]?.update,
    ).toMatchObject({
      status: 404,
      error: { type: "document_missing_exception" },
    });
    expect(e.indices.has("fresh")).toBe(true);
  });

  it("refuses a scripted update as not emulated", () => {
    const e = new OpenSearchEmulator();
    call(e, "PUT", "/t/_doc/1", { n: 1 });
    const [status, body] = call(e, "POST", "/t/_update/1", { script: { source: "ctx._source.n += 1" } });
    expect(status).toBe(400);
    expect(JSON.stringify(body)).toContain("scripted updates are not supported by the emulator");
    expect(e.indices.get("t")?.docs.get("1")?.source).toEqual({ n: 1 });
  });
});
