/**
 * `filter_path`, the response filter every OpenSearch API takes: comma-separated dotted paths whose
 * segments may hold `*` (any characters of one key) and `**` (any number of levels). Arrays are
 * transparent (a path applies to each element); objects and arrays left empty are dropped, and a response
 * nothing matches is `{}`. OpenSearch does not filter error responses. Exclusions (`-path`) are not
 * emulated.
 */
import { isKeptNumber } from "../../shared/exact-json";
import { setOwn } from "../../shared/own-properties";
import { HttpError, wildcard } from "./http";

type Filter = string[];

const globs = new Map<string, RegExp>();
function matches(pattern: string, key: string): boolean {
  if (!pattern.includes("*")) return pattern === key;
  let re = globs.get(pattern);
  if (!re) {
    re = wildcard(pattern);
    globs.set(pattern, re);
  }
  return re.test(key);
}

function filterValue(value: unknown, filters: Filter[]): unknown {
  if (filters.some((f) => f.length === 0)) return value;
  if (Array.isArray(value)) {
    const kept = value.map((v) => filterValue(v, filters)).filter((v) => v !== undefined);
    return kept.length > 0 ? kept : undefined;
  }
  // A number kept as its text (shared/exact-json.ts) is a leaf: nothing below it matches.
  if (value === null || typeof value !== "object" || isKeptNumber(value)) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    const next: Filter[] = [];
    for (const [head, ...rest] of filters) {
      if (head === "**") {
        next.push([head, ...rest]); // ** takes this level too
        if (rest.length === 0) next.push([]);
        else if (matches(rest[0] as string, key)) next.push(rest.slice(1)); // ** as zero levels
      } else if (matches(head as string, key)) next.push(rest);
    }
    if (next.length === 0) continue;
    const kept = filterValue(child, next);
    if (kept !== undefined) setOwn(out, key, kept);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

/** The response body filtered by a `filter_path` value. */
export function applyFilterPath(body: unknown, expression: string): unknown {
  const paths = expression
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  if (paths.some((p) => p.startsWith("-")))
    throw new HttpError(
      400,
      "illegal_argument_exception",
      "filter_path exclusions are not supported by the emulator",
    );
  if (paths.length === 0) return body;
  return (
    filterValue(
      body,
      paths.map((p) => p.split(".")),
    ) ?? {}
  );
}
