/**
 * The emulator's data folder: every acknowledged write survives a restart, a kill (no clean close) and a
 * torn journal line, and a snapshot compacts the journal.
 */
import { appendFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { EmulatorStore } from "../../../tools/opensearch-emulator/persistence";
import { OpenSearchEmulator } from "../../../tools/opensearch-emulator/server";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function folder(): string {
  const dir = mkdtempSync(join(tmpdir(), "emulator-data-"));
  dirs.push(dir);
  return dir;
}
const call = (e: OpenSearchEmulator, method: string, path: string, body?: unknown) =>
  e.handle(
    method,
    new URL(`http://emulator${path}`),
    typeof body === "string" ? body : body === undefined ? "" : JSON.stringify(body),
  );
const bulk = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join("\n")}\n`;
const state = (e: OpenSearchEmulator) =>
  [...e.indices.values()].map((i) => ({
    name: i.name,
    settings: i.settings,
    mappings: i.mappings,
    docs: [...i.docs].map(([id, d]) => [id, d.source, String(d.version)]),
    tombstones: [...i.tombstones.keys()],
  }));

function writeSome(e: OpenSearchEmulator): void {
  call(e, "PUT", "/_index_template/t", {
    index_patterns: ["orders"],
    template: { settings: { index: { gc_deletes: "1h" } } },
  });
  call(
    e,
    "POST",
    "/_bulk",
    bulk([
      { index: { _index: "orders", _id: "1", version: 10, version_type: "external_gte" } },
      { amount: 1 },
      { index: { _index: "orders", _id: "2", version: 11, version_type: "external_gte" } },
      { amount: 2 },
      { index: { _index: "orders", _id: "3", version: 12, version_type: "external_gte" } },
      { amount: "not a number" },
      { delete: { _index: "orders", _id: "2", version: 13, version_type: "external_gte" } },
      { index: { _index: "orders" } },
      { auto: true },
    ]),
  );
  call(e, "PUT", "/customers", { mappings: { properties: { name: { type: "keyword" } } } });
}

describe("emulator data folder", () => {
  it("finds every acknowledged write after a kill (no clean close), with the same versions and tombstones", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    writeSome(first);
    const second = new OpenSearchEmulator({ dataDir: dir });
    expect(state(second)).toEqual(state(first));
    // Doc 1 and the one with a generated id; 3 was refused (mapping) and 2 deleted.
    expect([...(second.indices.get("orders")?.docs.keys() ?? [])].filter((id) => id.length < 3)).toEqual([
      "1",
    ]);
    expect(second.indices.get("orders")?.docs.size).toBe(2);
    // The stale write is refused after the restart too: the delete's tombstone came back.
    expect(call(second, "PUT", "/orders/_doc/2?version=12&version_type=external_gte", { amount: 9 })[0]).toBe(
      409,
    );
  });

  it("drops a torn last journal line (a request that was never answered)", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    writeSome(first);
    const journal = readdirSync(dir).find((f) => f.startsWith("journal-")) as string;
    appendFileSync(join(dir, journal), '{"method":"POST","path":"/_bulk","body":"{\\"index');
    const second = new OpenSearchEmulator({ dataDir: dir });
    expect(state(second)).toEqual(state(first));
  });

  it("keeps numbers with more digits than a double as written, from the journal and from the snapshot", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    const written = '{"amount":12345678901234567.891,"n":[9007199254740993,2]}';
    call(first, "PUT", "/ledger/_doc/1", written);
    const source = (e: OpenSearchEmulator) => {
      const [status, body] = call(e, "GET", "/ledger/_doc/1");
      expect(status).toBe(200);
      return JSON.stringify((body as { _source: unknown })._source);
    };
    expect(source(first)).toBe(written);
    expect(source(new OpenSearchEmulator({ dataDir: dir }))).toBe(written); // replayed from the journal
    first.persist();
    expect(readdirSync(dir)).toEqual(["snapshot.ndjson"]);
    expect(source(new OpenSearchEmulator({ dataDir: dir }))).toBe(written); // read from the snapshot
  });

  it("compacts into a snapshot on a clean stop, and keeps journaling after it", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    writeSome(first);
    first.persist();
    expect(readdirSync(dir)).toEqual(["snapshot.ndjson"]);
    call(first, "PUT", "/orders/_doc/9?version=20&version_type=external_gte", { amount: 9 });
    const second = new OpenSearchEmulator({ dataDir: dir });
    expect(state(second)).toEqual(state(first));
    expect(second.indices.get("orders")?.docs.get("9")?.version).toBe(20n);
  });

  it("writes the snapshot one line per item (no string of the whole state, which V8 caps at 512 MB)", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    writeSome(first);
    first.persist();
    const lines = readFileSync(join(dir, "snapshot.ndjson"), "utf8").trimEnd().split("\n");
    const kinds = lines.slice(1).map((line) => Object.keys(JSON.parse(line) as object)[0]);
    // The template, two indices each before its documents and tombstones (orders: 2 documents, 1 deleted).
    expect(kinds).toEqual(["template", "index", "doc", "doc", "tombstone", "index"]);
    expect(JSON.parse(lines[0] as string)).toEqual({ generation: 1 });
    expect(state(new OpenSearchEmulator({ dataDir: dir }))).toEqual(state(first));
  });

  it("reads the one-value snapshot of earlier versions, and replaces it at the next compaction", () => {
    const dir = folder();
    const first = new OpenSearchEmulator({ dataDir: dir });
    writeSome(first);
    const before = state(first);
    const docs = [...(first.indices.get("orders")?.docs ?? [])].map(([id, d]) => [
      id,
      d.source,
      String(d.version),
      d.seqNo,
    ]);
    const {
      searchable: _s,
      pending: _p,
      docs: _d,
      tombstones,
      ...orders
    } = first.indices.get("orders") as NonNullable<ReturnType<typeof first.indices.get>>;
    const {
      searchable: _s2,
      pending: _p2,
      docs: _d2,
      tombstones: _t2,
      ...customers
    } = first.indices.get("customers") as NonNullable<ReturnType<typeof first.indices.get>>;
    for (const f of readdirSync(dir)) rmSync(join(dir, f));
    const legacy = {
      indices: [
        { ...orders, docs, tombstones: [...tombstones].map(([id, t]) => [id, String(t.version), t.at]) },
        { ...customers, docs: [], tombstones: [] },
      ],
      templates: [...first.templates],
    };
    writeFileSync(join(dir, "snapshot.json"), JSON.stringify({ generation: 1, state: legacy }));
    const second = new OpenSearchEmulator({ dataDir: dir });
    expect(state(second)).toEqual(before);
    second.persist();
    expect(readdirSync(dir)).toEqual(["snapshot.ndjson"]);
    expect(state(new OpenSearchEmulator({ dataDir: dir }))).toEqual(before);
  });
});

describe("emulator journal compaction", () => {
  it("waits until the journal outgrows the last snapshot (compacting costs the whole state)", () => {
    const dir = folder();
    const store = new EmulatorStore(dir);
    store.load();
    const big = "x".repeat(1024 * 1024);
    store.compact(Array.from({ length: 80 }, () => big)); // an 80 MB snapshot
    const entry = { method: "POST", path: "/_bulk", body: big };
    const due: boolean[] = [];
    for (let i = 0; i < 82; i++) due.push(store.append(entry));
    expect(due.indexOf(true)).toBe(79); // the 80th MB of journal outgrows the snapshot (not the 64th)
  });
});
