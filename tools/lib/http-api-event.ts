/**
 * Builds API Gateway HTTP API (payload format 2.0) events, the shape the producer function receives:
 * for sample events, tests and the local HTTP server. Routes come from the template's RouteKeys.
 */
import type { APIGatewayProxyEventV2 } from "aws-lambda";

export type HttpRequestInput = {
  method: string;
  /** Path with an optional query string, e.g. `/events/abc?x=1`. */
  path: string;
  headers?: Record<string, string>;
  /** Text body, or bytes (sent base64-encoded, as API Gateway does for binary bodies). */
  body?: string | Buffer;
  sourceIp?: string;
  requestId?: string;
  time?: Date;
};

export type RouteMatch = { routeKey: string; pathParameters?: Record<string, string> };

/** A path whose percent-encoding is not UTF-8 (`/events/%E0%A4%A`): a request error, not a handler's. */
export class MalformedPathError extends Error {
  override name = "MalformedPathError";
}

const decodedParameter = (text: string): string => {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    throw new MalformedPathError(`malformed percent-encoding in the path: ${text}`, { cause: error });
  }
};

/** Matches `METHOD /path` against route keys like `GET /events/{id}`; `$default` if nothing matches. */
export function matchRoute(routeKeys: readonly string[], method: string, path: string): RouteMatch {
  for (const key of routeKeys) {
    const [routeMethod, routePath] = key.split(" ") as [string, string];
    if (routeMethod !== method && routeMethod !== "ANY") continue;
    const names: string[] = [];
    const pattern = routePath
      .replace(/[.*+?^$()|[\]\\]/g, "\\$&")
      .replace(/\{([^}+]+)\}/g, (_, name: string) => {
        names.push(name);
        return "([^/]+)";
      });
    const match = new RegExp(`^${pattern}$`).exec(path);
    if (!match) continue;
    const pathParameters = Object.fromEntries(
      names.map((n, i) => [n, decodedParameter(match[i + 1] as string)]),
    );
    return { routeKey: key, ...(names.length > 0 && { pathParameters }) };
  }
  return { routeKey: "$default" };
}

const BINARY_SAFE = /^(application\/(.+\+)?json|text\/.*|application\/x-www-form-urlencoded)(;|$)/i;

export function httpApiEvent(input: HttpRequestInput, route: RouteMatch): APIGatewayProxyEventV2 {
  const time = input.time ?? new Date();
  const [rawPath = "/", rawQueryString = ""] = input.path.split("?", 2);
  const headers = Object.fromEntries(
    Object.entries(input.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
  );
  const query = new URLSearchParams(rawQueryString);
  let body: string | undefined;
  let isBase64Encoded = false;
  if (typeof input.body === "string") body = input.body;
  else if (input.body) {
    // API Gateway passes text bodies through and base64-encodes anything it treats as binary.
    if (BINARY_SAFE.test(headers["content-type"] ?? "") && isUtf8(input.body))
      body = input.body.toString("utf8");
    else {
      body = input.body.toString("base64");
      isBase64Encoded = true;
    }
  }
  const domainName = headers.host ?? "localhost";
  const domainPrefix = domainName.split(".")[0] as string;
  return {
    version: "2.0",
    routeKey: route.routeKey,
    rawPath,
    rawQueryString,
    headers,
    ...(query.size > 0 && { queryStringParameters: Object.fromEntries(query) }),
    ...(route.pathParameters && { pathParameters: route.pathParameters }),
    requestContext: {
      accountId: "123456789012",
      apiId: domainName.includes(".execute-api.") ? domainPrefix : "local",
      domainName,
      domainPrefix,
      http: {
        method: input.method,
        path: rawPath,
        protocol: "HTTP/1.1",
        sourceIp: input.sourceIp ?? "127.0.0.1",
        userAgent: headers["user-agent"] ?? "",
      },
      requestId: input.requestId ?? "local-request",
      routeKey: route.routeKey,
      stage: "$default",
      time: apiGatewayTime(time),
      timeEpoch: time.getTime(),
    },
    ...(body !== undefined && { body }),
    isBase64Encoded,
  };
}

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** `21/Nov/2026:09:15:02 +0000`, API Gateway's requestContext.time format. */
function apiGatewayTime(time: Date): string {
  const two = (n: number) => String(n).padStart(2, "0");
  return `${two(time.getUTCDate())}/${MONTHS[time.getUTCMonth()]}/${time.getUTCFullYear()}:${two(time.getUTCHours())}:${two(time.getUTCMinutes())}:${two(time.getUTCSeconds())} +0000`;
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
