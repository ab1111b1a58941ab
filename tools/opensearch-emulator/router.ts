/**
 * The emulator's route table, as `@middy/http-router` does it: each route a method list and a path
 * pattern (`/{index}/_doc/{id}`); the first match wins. An `{index}` segment never starts with `_`
 * (those are API names).
 */
export type Reply = [status: number, body: unknown];

export type Request = {
  method: string;
  url: URL;
  params: Record<string, string>;
  body: string;
  /** The body parsed as JSON ({} when empty). */
  json(): Record<string, unknown>;
};

export type Route = { methods: string[] | "*"; path: string; handler: (req: Request) => Reply };

function match(pattern: string, segments: string[]): Record<string, string> | undefined {
  const parts = pattern.split("/").filter(Boolean);
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [i, part] of parts.entries()) {
    const segment = segments[i] as string;
    if (part.startsWith("{")) {
      if (part === "{index}" && segment.startsWith("_")) return undefined;
      params[part.slice(1, -1)] = segment;
    } else if (part !== segment) return undefined;
  }
  return params;
}

/** The route for a request and its path parameters, if any. */
export function findRoute(
  routes: Route[],
  method: string,
  url: URL,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
  for (const route of routes) {
    if (route.methods !== "*" && !route.methods.includes(method)) continue;
    const params = match(route.path, segments);
    if (params) return { route, params };
  }
  return undefined;
}
