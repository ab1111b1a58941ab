/**
 * The query DSL subset the pipeline, the demo and the tests use. Queries and sorts see a field's indexed
 * value (`indexed`), as OpenSearch does: a fraction in a `long` field is truncated there.
 */
import { fieldPath } from "../../shared/field-path";

export type Doc = { id: string; source: Record<string, unknown> };
type Query = Record<string, unknown>;
/** The indexed values of a field of a document. */
export type Indexed = (source: Record<string, unknown>, field: string) => unknown[];

export class QueryError extends Error {}

export function sourceValues(source: Record<string, unknown>, field: string): unknown[] {
  const path = field.endsWith(".keyword") ? field.slice(0, -".keyword".length) : field;
  if (path === "_id") return [];
  const parts = path.split(".");
  const found: unknown[] = [];
  // Each step may match a nested object or a dotted name (`"a.b": 1` is the field a.b, `"a.": 1` the
  // field a, as OpenSearch maps them: shared/field-path.ts).
  const visit = (value: unknown, at: number): void => {
    if (Array.isArray(value)) {
      for (const item of value) visit(item, at);
      return;
    }
    if (at === parts.length) {
      if (value !== null && value !== undefined) found.push(value);
      return;
    }
    if (!value || typeof value !== "object") return;
    for (const key of Object.keys(value)) {
      const v = (value as Record<string, unknown>)[key];
      if (!key.includes(".")) {
        if (key === parts[at]) visit(v, at + 1);
        continue;
      }
      const path = fieldPath(key);
      if ("parts" in path && path.parts.every((part, i) => part === parts[at + i]))
        visit(v, at + path.parts.length);
    }
  };
  visit(source, 0);
  return found;
}

const eq = (a: unknown, b: unknown) => a === b || String(a) === String(b);
const tokens = (text: unknown) =>
  String(text)
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

function cmp(a: unknown, b: unknown): number {
  const na = Number(a);
  const nb = Number(b);
  if (!Number.isNaN(na) && !Number.isNaN(nb) && a !== "" && b !== "") return na - nb;
  const da = Date.parse(String(a));
  const db = Date.parse(String(b));
  if (!Number.isNaN(da) && !Number.isNaN(db)) return da - db;
  return String(a) < String(b) ? -1 : String(a) > String(b) ? 1 : 0;
}

const single = (q: Query, name: string): [string, unknown] => {
  const entries = Object.entries(q[name] as Query);
  if (entries.length !== 1) throw new QueryError(`[${name}] query malformed, expected one field`);
  return entries[0] as [string, unknown];
};

/** An ids query's values as a set, made once per query (a search tests every document against it). */
const idSets = new WeakMap<object, Set<unknown>>();
function idSetOf(ids: { values?: unknown[] }): Set<unknown> {
  let set = idSets.get(ids);
  if (!set) {
    set = new Set(ids.values ?? []);
    idSets.set(ids, set);
  }
  return set;
}

export function matches(doc: Doc, query: Query | undefined, values: Indexed = sourceValues): boolean {
  if (!query || Object.keys(query).length === 0) return true;
  const [kind] = Object.keys(query);
  switch (kind) {
    case "match_all":
      return true;
    case "match_none":
      return false;
    case "ids":
      return idSetOf(query.ids as { values?: unknown[] }).has(doc.id);
    case "term": {
      const [field, spec] = single(query, "term");
      const value = spec && typeof spec === "object" ? (spec as { value: unknown }).value : spec;
      if (field === "_id") return eq(doc.id, value);
      return values(doc.source, field).some((v) => eq(v, value));
    }
    case "terms": {
      const [field, list] = single(query, "terms");
      if (field === "_id") return (list as unknown[]).some((v) => eq(doc.id, v));
      return values(doc.source, field).some((v) => (list as unknown[]).some((t) => eq(v, t)));
    }
    case "match":
    case "match_phrase": {
      const [field, spec] = single(query, kind);
      const text = spec && typeof spec === "object" ? (spec as { query: unknown }).query : spec;
      const wanted = tokens(text);
      const have = new Set(values(doc.source, field).flatMap(tokens));
      return (
        wanted.length > 0 &&
        (kind === "match" ? wanted.some((t) => have.has(t)) : wanted.every((t) => have.has(t)))
      );
    }
    case "exists":
      return values(doc.source, (query.exists as { field: string }).field).length > 0;
    case "range": {
      const [field, bounds] = single(query, "range") as [string, Record<string, unknown>];
      return values(doc.source, field).some(
        (v) =>
          (bounds.gt === undefined || cmp(v, bounds.gt) > 0) &&
          (bounds.gte === undefined || cmp(v, bounds.gte) >= 0) &&
          (bounds.lt === undefined || cmp(v, bounds.lt) < 0) &&
          (bounds.lte === undefined || cmp(v, bounds.lte) <= 0),
      );
    }
    case "bool": {
      const b = query.bool as Record<string, Query | Query[]>;
      const list = (x: Query | Query[] | undefined) => (x === undefined ? [] : Array.isArray(x) ? x : [x]);
      const must = [...list(b.must), ...list(b.filter)];
      const should = list(b.should);
      const minimumShould = Number(
        b.minimum_should_match ?? (must.length === 0 && should.length > 0 ? 1 : 0),
      );
      return (
        must.every((q) => matches(doc, q, values)) &&
        !list(b.must_not).some((q) => matches(doc, q, values)) &&
        should.filter((q) => matches(doc, q, values)).length >= minimumShould
      );
    }
    default:
      throw new QueryError(`unknown query [${kind}]`);
  }
}

export function sortDocs(docs: Doc[], sort: unknown, values: Indexed = sourceValues): Doc[] {
  if (!sort) return docs;
  const specs = (Array.isArray(sort) ? sort : [sort]).map((s) => {
    if (typeof s === "string") return { field: s, desc: false };
    const [field, spec] = Object.entries(s as Record<string, unknown>)[0] as [string, unknown];
    const order = typeof spec === "string" ? spec : (spec as { order?: string }).order;
    return { field, desc: order === "desc" };
  });
  return [...docs].sort((a, b) => {
    for (const { field, desc } of specs) {
      const va = field === "_id" ? a.id : values(a.source, field)[0];
      const vb = field === "_id" ? b.id : values(b.source, field)[0];
      if (va === undefined && vb === undefined) continue;
      if (va === undefined) return 1;
      if (vb === undefined) return -1;
      const c = cmp(va, vb);
      if (c !== 0) return desc ? -c : c;
    }
    return 0;
  });
}
