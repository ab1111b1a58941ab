/**
 * A runner for OpenSearch's REST API YAML tests (the format of `rest-api-spec/test/` in
 * opensearch-project/OpenSearch): `setup`/`teardown` sections and test sections of steps `skip`, `do`
 * (an API by name, its params and body, `catch`, `ignore`, `headers`), `match`, `is_true`, `is_false`,
 * `length`, `set`, `gt`, `gte`, `lt`, `lte`. Only the APIs below are known; a test calling another fails
 * with "unknown API". Runs against any OpenSearch over HTTP.
 */
import { isDeepStrictEqual } from "node:util";
import { parseAllDocuments } from "yaml";

type Step = Record<string, unknown>;
export type SpecTest = { file: string; name: string; steps: Step[]; setup: Step[]; teardown: Step[] };
export type Outcome =
  | { status: "passed" }
  | { status: "skipped"; reason: string }
  | { status: "failed"; reason: string };

/** The version the runner reports for skip ranges (legacy 6.x/7.x versions sort below 1.0). */
const VERSION: [number, number, number] = [2, 19, 0];
/** Runner features the tests may ask for. */
const FEATURES = new Set(["headers", "allowed_warnings", "stash_in_path", "contains"]);

/** An API's paths: [path parameters, path, method] (most specific first). */
type Api = { method: string; paths: [string[], string, string?][] };
/** Each API's method and paths (most specific first), from `rest-api-spec/api/*.json`. */
const APIS: Record<string, Api> = {
  bulk: {
    method: "POST",
    paths: [
      [["index"], "/{index}/_bulk"],
      [[], "/_bulk"],
    ],
  },
  count: {
    method: "POST",
    paths: [
      [["index"], "/{index}/_count"],
      [[], "/_count"],
    ],
  },
  index: {
    method: "PUT",
    paths: [
      [["index", "id"], "/{index}/_doc/{id}"],
      [["index"], "/{index}/_doc", "POST"],
    ],
  },
  create: { method: "PUT", paths: [[["index", "id"], "/{index}/_create/{id}"]] },
  delete: { method: "DELETE", paths: [[["index", "id"], "/{index}/_doc/{id}"]] },
  get: { method: "GET", paths: [[["index", "id"], "/{index}/_doc/{id}"]] },
  get_source: { method: "GET", paths: [[["index", "id"], "/{index}/_source/{id}"]] },
  update: { method: "POST", paths: [[["index", "id"], "/{index}/_update/{id}"]] },
  exists: { method: "HEAD", paths: [[["index", "id"], "/{index}/_doc/{id}"]] },
  mget: {
    method: "POST",
    paths: [
      [["index"], "/{index}/_mget"],
      [[], "/_mget"],
    ],
  },
  search: {
    method: "POST",
    paths: [
      [["index"], "/{index}/_search"],
      [[], "/_search"],
    ],
  },
  scroll: {
    method: "POST",
    paths: [
      [["scroll_id"], "/_search/scroll/{scroll_id}"],
      [[], "/_search/scroll"],
    ],
  },
  clear_scroll: {
    method: "DELETE",
    paths: [
      [["scroll_id"], "/_search/scroll/{scroll_id}"],
      [[], "/_search/scroll"],
    ],
  },
  "indices.create": { method: "PUT", paths: [[["index"], "/{index}"]] },
  "indices.delete": { method: "DELETE", paths: [[["index"], "/{index}"]] },
  "indices.get": { method: "GET", paths: [[["index"], "/{index}"]] },
  "indices.exists": { method: "HEAD", paths: [[["index"], "/{index}"]] },
  "indices.refresh": {
    method: "POST",
    paths: [
      [["index"], "/{index}/_refresh"],
      [[], "/_refresh"],
    ],
  },
  "indices.get_mapping": {
    method: "GET",
    paths: [
      [["index"], "/{index}/_mapping"],
      [[], "/_mapping"],
    ],
  },
  "indices.put_alias": { method: "PUT", paths: [[["index", "name"], "/{index}/_alias/{name}"]] },
  "indices.put_index_template": { method: "PUT", paths: [[["name"], "/_index_template/{name}"]] },
  "indices.get_index_template": {
    method: "GET",
    paths: [
      [["name"], "/_index_template/{name}"],
      [[], "/_index_template"],
    ],
  },
  "indices.delete_index_template": { method: "DELETE", paths: [[["name"], "/_index_template/{name}"]] },
  "cat.indices": {
    method: "GET",
    paths: [
      [["index"], "/_cat/indices/{index}"],
      [[], "/_cat/indices"],
    ],
  },
  "cat.count": {
    method: "GET",
    paths: [
      [["index"], "/_cat/count/{index}"],
      [[], "/_cat/count"],
    ],
  },
  "cat.health": { method: "GET", paths: [[[], "/_cat/health"]] },
  "cluster.health": {
    method: "GET",
    paths: [
      [["index"], "/_cluster/health/{index}"],
      [[], "/_cluster/health"],
    ],
  },
};

/** Reads one YAML test file into its tests (setup and teardown attached to each). */
export function parseSpecFile(file: string, text: string): SpecTest[] {
  let setup: Step[] = [];
  let teardown: Step[] = [];
  const tests: { name: string; steps: Step[] }[] = [];
  for (const doc of parseAllDocuments(text)) {
    const section = doc.toJS() as Record<string, Step[]> | null;
    if (!section) continue;
    for (const [name, steps] of Object.entries(section)) {
      if (name === "setup") setup = steps;
      else if (name === "teardown") teardown = steps;
      else tests.push({ name, steps });
    }
  }
  return tests.map((t) => ({ file, ...t, setup, teardown }));
}

const versionOf = (text: string): number[] => {
  const [major = 0, minor = 0, patch = 0] = text.trim().split(".").map(Number);
  return major >= 5 ? [0, major, minor, patch] : [major, minor, patch, 0];
};
const compare = (a: number[], b: number[]) => {
  for (let i = 0; i < 4; i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
};

/** Why the test is skipped, if its skip section applies to this runner. */
export function skipReason(step: Step): string | undefined {
  const skip = step.skip as { version?: string; features?: string | string[]; reason?: string } | undefined;
  if (!skip) return undefined;
  const missing = [skip.features ?? []].flat().filter((f) => !FEATURES.has(f));
  if (missing.length) return `runner feature ${missing.join(", ")}`;
  if (skip.version) {
    if (skip.version.trim() === "all") return skip.reason ?? "all versions";
    const current = versionOf(VERSION.join("."));
    for (const range of skip.version.split(",")) {
      const [low, high] = range.split("-").map((s) => s.trim());
      const from = low ? versionOf(low) : [0, 0, 0, 0];
      const to = high ? versionOf(high) : [99, 0, 0, 0];
      if (compare(current, from) >= 0 && compare(current, to) <= 0) return skip.reason ?? `version ${range}`;
    }
  }
  return undefined;
}

type Stash = Map<string, unknown>;

/** Replaces `$name` / `${name}` by stashed values (a whole `$name` keeps the value's type). */
function unstash(value: unknown, stash: Stash): unknown {
  if (typeof value === "string") {
    const whole = /^\$\{?(\w+)\}?$/.exec(value);
    if (whole && stash.has(whole[1] as string)) return stash.get(whole[1] as string);
    return value.replace(/\$\{(\w+)\}|\$(\w+)/g, (m, a: string, b: string) =>
      stash.has(a ?? b) ? String(stash.get(a ?? b)) : m,
    );
  }
  if (Array.isArray(value)) return value.map((v) => unstash(v, stash));
  if (value && typeof value === "object")
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, unstash(v, stash)]));
  return value;
}

/** A value at a dotted path (`\.` escapes a dot; `$body` or '' is the whole response). */
function at(response: unknown, path: string, stash: Stash): unknown {
  if (path === "" || path === "$body") return response;
  const parts = path.split(/(?<!\\)\./).map((p) => unstash(p.replace(/\\\./g, "."), stash) as string);
  let value: unknown = response;
  for (const part of parts) {
    if (value === null || value === undefined) return undefined;
    value = Array.isArray(value) ? value[Number(part)] : (value as Record<string, unknown>)[part];
  }
  return value;
}

const truthy = (v: unknown) =>
  !(v === undefined || v === null || v === false || v === "" || v === "false" || v === 0);

const isRegex = (v: unknown): v is string => typeof v === "string" && /^\s*\/[\s\S]*\/\s*$/.test(v);

/**
 * Java's `$` (without MULTILINE) also matches before a final line terminator: `^(foo)$` matches "foo\n"
 * (a `_cat` answer). JavaScript's does not, so each `$` outside a character class becomes `(?=\n?$)`.
 */
function javaDollars(source: string): string {
  let out = "";
  let inClass = false;
  for (let i = 0; i < source.length; i++) {
    const c = source[i] as string;
    if (c === "\\") {
      out += c + (source[++i] ?? "");
      continue;
    }
    if (c === "[") inClass = true;
    else if (c === "]") inClass = false;
    out += c === "$" && !inClass ? "(?=\n?$)" : c;
  }
  return out;
}

/** `match` regexes are in Java's COMMENTS mode (whitespace and `#` comments ignored); `catch` ones are not. */
function regexOf(text: string, comments: boolean): RegExp {
  const source = text.trim().slice(1, -1);
  return new RegExp(
    javaDollars(comments ? source.replace(/(?<!\\)#[^\n]*/g, "").replace(/(?<!\\)\s+/g, "") : source),
    "s",
  );
}

function matches(actual: unknown, expected: unknown): boolean {
  if (isRegex(expected)) return regexOf(expected, true).test(String(actual));
  if (typeof expected === "number" && typeof actual === "number") return expected === actual;
  if (typeof expected === "number" && typeof actual === "string") return false;
  return isDeepStrictEqual(actual, expected);
}

export type Http = (
  method: string,
  path: string,
  body?: string,
  headers?: Record<string, string>,
) => Promise<{
  status: number;
  body: unknown;
}>;

function requestOf(api: string, params: Record<string, unknown>, stash: Stash) {
  const spec = APIS[api];
  if (!spec) throw new Error(`unknown API ${api}`);
  const { body, ignore: _ignore, ...rest } = unstash(params, stash) as Record<string, unknown>;
  const given = (k: string) =>
    rest[k] !== undefined && !(Array.isArray(rest[k]) && (rest[k] as unknown[]).length === 0);
  const [pathParams, template, method = spec.method] = spec.paths.find(([names]) => names.every(given)) ?? [
    [],
    "",
  ];
  if (!template) throw new Error(`${api}: missing path parameters`);
  let path = template;
  for (const name of pathParams) {
    path = path.replace(`{${name}}`, encodeURIComponent([rest[name]].flat().join(",")).replace(/%2C/g, ","));
    delete rest[name];
  }
  for (const name of Object.keys(rest))
    if (Array.isArray(rest[name]) && (rest[name] as unknown[]).length === 0) delete rest[name];
  const query = new URLSearchParams(
    Object.entries(rest).map(([k, v]): [string, string] => [k, Array.isArray(v) ? v.join(",") : String(v)]),
  ).toString();
  let text: string | undefined;
  if (typeof body === "string") text = api === "bulk" && !body.endsWith("\n") ? `${body}\n` : body;
  else if (Array.isArray(body))
    text = `${body.map((line) => (typeof line === "string" ? line : JSON.stringify(line))).join("\n")}\n`;
  else if (body !== undefined) text = JSON.stringify(body);
  return { method, path: query ? `${path}?${query}` : path, body: text };
}

const CATCH_STATUS: Record<string, (s: number) => boolean> = {
  missing: (s) => s === 404,
  conflict: (s) => s === 409,
  bad_request: (s) => s === 400,
  unauthorized: (s) => s === 401,
  forbidden: (s) => s === 403,
  request_timeout: (s) => s === 408,
  request: (s) => s >= 400 && ![400, 401, 403, 404, 408, 409].includes(s),
};

async function runSteps(
  steps: Step[],
  http: Http,
  stash: Stash,
  state: { response: unknown },
): Promise<void> {
  for (const step of steps) {
    const [kind, arg] = Object.entries(step)[0] as [string, unknown];
    if (kind === "skip") continue;
    if (kind === "do") {
      const {
        catch: expectCatch,
        headers,
        warnings: _w,
        allowed_warnings: _a,
        node_selector: _n,
        ...call
      } = arg as Record<string, unknown>;
      const [api, params] = Object.entries(call)[0] as [string, Record<string, unknown>];
      const request = requestOf(api, params ?? {}, stash);
      const ignore = [params?.ignore ?? []].flat().map(Number);
      const { status, body } = await http(
        request.method,
        request.path,
        request.body,
        headers as Record<string, string>,
      );
      const isHead = request.method === "HEAD";
      state.response = isHead ? status === 200 : body;
      const failed = status >= 400 && !(isHead && status === 404) && !ignore.includes(status);
      if (typeof expectCatch === "string") {
        const check = CATCH_STATUS[expectCatch];
        const ok = check
          ? check(status)
          : isRegex(expectCatch) && status >= 400 && regexOf(expectCatch, false).test(JSON.stringify(body));
        if (!ok)
          throw new Error(
            `${api}: expected ${expectCatch}, got ${status} ${JSON.stringify(body).slice(0, 300)}`,
          );
      } else if (failed) throw new Error(`${api} failed: ${status} ${JSON.stringify(body).slice(0, 300)}`);
      continue;
    }
    const [path, expected] =
      arg !== null && typeof arg === "object"
        ? (Object.entries(arg)[0] as [string, unknown])
        : [String(arg ?? ""), undefined];
    const actual = () => at(state.response, path, stash);
    switch (kind) {
      case "match": {
        const want = unstash(expected, stash);
        const got = actual();
        if (!matches(got, want))
          throw new Error(`match ${path}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
        break;
      }
      case "is_true":
      case "is_false": {
        const got = actual();
        if (truthy(got) !== (kind === "is_true"))
          throw new Error(`${kind} ${path}: got ${JSON.stringify(got)}`);
        break;
      }
      case "length": {
        const got = actual();
        const size = Array.isArray(got)
          ? got.length
          : got && typeof got === "object"
            ? Object.keys(got).length
            : undefined;
        if (size !== Number(unstash(expected, stash)))
          throw new Error(`length ${path}: expected ${expected}, got ${size}`);
        break;
      }
      case "set":
        stash.set(String(expected), actual());
        break;
      case "gt":
      case "gte":
      case "lt":
      case "lte": {
        const got = Number(actual());
        const want = Number(unstash(expected, stash));
        const ok = { gt: got > want, gte: got >= want, lt: got < want, lte: got <= want }[kind];
        if (!ok) throw new Error(`${kind} ${path}: ${got} vs ${want}`);
        break;
      }
      default:
        throw new Error(`unsupported step ${kind}`);
    }
  }
}

/** Runs one test (its setup first, its teardown last). */
export async function runSpecTest(test: SpecTest, http: Http): Promise<Outcome> {
  for (const section of [test.setup, test.steps]) {
    const skip = section.map(skipReason).find(Boolean);
    if (skip) return { status: "skipped", reason: skip };
  }
  const stash: Stash = new Map();
  const state = { response: undefined as unknown };
  try {
    await runSteps(test.setup, http, stash, state);
    await runSteps(test.steps, http, stash, state);
    return { status: "passed" };
  } catch (error) {
    return { status: "failed", reason: (error as Error).message };
  } finally {
    await runSteps(test.teardown, http, stash, state).catch(() => undefined);
  }
}
