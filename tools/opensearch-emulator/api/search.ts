/**
 * Search API: `_search` and `_count` (all indices, a list, a pattern or `_all`) with the URI parameters
 * OpenSearch takes (`q`, `size`, `from`, `sort`, `track_total_hits`, `rest_total_hits_as_int`, `scroll`,
 * `request_cache`), and scrolls (`_search/scroll`, the id in the body or the path).
 */
import { HttpError, queryFlag } from "../http";
import type { Request, Route } from "../router";
import type { OpenSearchEmulator, SearchOptions } from "../server";

/** `sort=field` / `field:desc`, comma-separated, as a body `sort`. */
function uriSort(value: string): unknown[] {
  return value.split(",").map((part) => {
    const [field, order] = part.split(":");
    return order ? { [field as string]: { order } } : field;
  });
}

function searchOptions(req: Request, countOnly: boolean): SearchOptions {
  const p = req.url.searchParams;
  const number = (name: string) => {
    const v = p.get(name);
    if (v === null) return undefined;
    if (!/^-?\d+$/.test(v))
      throw new HttpError(
        400,
        "illegal_argument_exception",
        `Failed to parse int parameter [${name}] with value [${v}]`,
      );
    return Number(v);
  };
  const track = p.get("track_total_hits");
  return {
    countOnly,
    scroll: p.get("scroll"),
    restTotalHitsAsInt: queryFlag(req.url, "rest_total_hits_as_int"),
    size: number("size"),
    from: number("from"),
    ...(p.get("sort") !== null && { sort: uriSort(p.get("sort") as string) }),
    ...(track !== null && {
      trackTotalHits: track === "true" ? true : track === "false" ? false : Number(track),
    }),
    requestCache: queryFlag(req.url, "request_cache"),
    ...(p.get("q") !== null && { q: p.get("q") as string }),
    ignoreUnavailable: queryFlag(req.url, "ignore_unavailable"),
  };
}

export function searchRoutes(em: OpenSearchEmulator): Route[] {
  const search = (countOnly: boolean) => (req: Request) =>
    [200, em.search(req.params.index ?? "_all", req.json(), searchOptions(req, countOnly))] as [
      number,
      unknown,
    ];
  const scroll = (req: Request) =>
    em.scrollPage(req.method, req.json(), req.params.scroll_id, queryFlag(req.url, "rest_total_hits_as_int"));
  return [
    { methods: "*", path: "/_search/scroll/{scroll_id}", handler: scroll },
    { methods: "*", path: "/_search/scroll", handler: scroll },
    { methods: ["GET", "POST"], path: "/_search", handler: search(false) },
    { methods: ["GET", "POST"], path: "/_count", handler: search(true) },
    { methods: ["GET", "POST"], path: "/_all/_search", handler: search(false) },
    { methods: ["GET", "POST"], path: "/_all/_count", handler: search(true) },
    { methods: ["GET", "POST"], path: "/{index}/_search", handler: search(false) },
    { methods: ["GET", "POST"], path: "/{index}/_count", handler: search(true) },
  ];
}
