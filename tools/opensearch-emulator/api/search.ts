/** Search API: `_search` and `_count` (all indices or a pattern) and scrolls (`_search/scroll`). */
import type { Route } from "../router";
import type { OpenSearchEmulator } from "../server";

export function searchRoutes(em: OpenSearchEmulator): Route[] {
  const search = (pattern: string, count: boolean) => (req: Parameters<Route["handler"]>[0]) =>
    [200, em.search(pattern, req.json(), count, req.url.searchParams.get("scroll"))] as [number, unknown];
  return [
    { methods: "*", path: "/_search/scroll", handler: (req) => em.scrollPage(req.method, req.json()) },
    { methods: "*", path: "/_search", handler: search("_all", false) },
    { methods: "*", path: "/_count", handler: search("_all", true) },
    {
      methods: "*",
      path: "/{index}/_search",
      handler: (req) => search(req.params.index as string, false)(req),
    },
    {
      methods: "*",
      path: "/{index}/_count",
      handler: (req) => search(req.params.index as string, true)(req),
    },
  ];
}
