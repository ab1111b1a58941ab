/**
 * The producer API on localhost: a plain HTTP server that turns each request into the API Gateway
 * HTTP API (payload 2.0) event the deployed API would send, calls the real handler in this process,
 * and writes its answer back. Routes are the template's `AWS::ApiGatewayV2::Route` RouteKeys; like
 * API Gateway, an unknown route is a 404 and a body over 10 MB a 413 before the function runs.
 */

import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import type { Template } from "../lib/cfn-yaml";
import { httpApiEvent, MalformedPathError, matchRoute } from "../lib/http-api-event";
import { createLambdaContext } from "../lib/lambda-context";
import type { RunningPart } from "./part";

const API_GATEWAY_MAX_BODY = 10 * 1024 * 1024;

export type Handler = (event: unknown, context: unknown) => Promise<unknown>;

export type LocalHttpApiOptions = {
  /** Preferred port; when it is taken, any free port (see `url`). */
  port: number;
  routeKeys: string[];
  handler: Handler;
  functionName: string;
  timeoutSeconds: number;
  region: string;
  log?: (line: string) => void;
};

export type LocalHttpApi = RunningPart;

/** RouteKeys of the template's HTTP API routes. */
export function templateRouteKeys(template: Template): string[] {
  return Object.values(template.Resources)
    .filter((r) => r.Type === "AWS::ApiGatewayV2::Route")
    .map((r) => String(r.Properties?.RouteKey));
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-type": "application/json", ...headers });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<Buffer | "too-large"> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > API_GATEWAY_MAX_BODY) return "too-large";
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

export async function startLocalHttpApi(options: LocalHttpApiOptions): Promise<LocalHttpApi> {
  const log = options.log ?? (() => {});
  const server = createServer(async (req, res) => {
    try {
      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      let route: ReturnType<typeof matchRoute>;
      try {
        route = matchRoute(options.routeKeys, method, path.split("?")[0] as string);
      } catch (error) {
        // The client's mistake, answered as web servers answer it (before, a 500 from the local server).
        if (error instanceof MalformedPathError) return send(res, 400, '{"message":"Bad Request"}');
        throw error;
      }
      const body = await readBody(req);
      if (body === "too-large") return send(res, 413, '{"message":"Request Entity Too Large"}');
      if (route.routeKey === "$default") return send(res, 404, '{"message":"Not Found"}');
      const headers = Object.fromEntries(
        Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(",") : (v ?? "")]),
      );
      const event = httpApiEvent(
        {
          method,
          path,
          headers,
          ...(body.length > 0 && { body }),
          sourceIp: req.socket.remoteAddress ?? "127.0.0.1",
          requestId: randomUUID(),
        },
        route,
      );
      const context = createLambdaContext({
        functionName: options.functionName,
        timeoutSeconds: options.timeoutSeconds,
        memorySize: 512,
        region: options.region,
      });
      const result = (await options.handler(event, context)) as APIGatewayProxyStructuredResultV2 | string;
      if (typeof result !== "object" || result === null || result.statusCode === undefined)
        return send(res, 200, typeof result === "string" ? result : JSON.stringify(result));
      const out = result.isBase64Encoded ? Buffer.from(result.body ?? "", "base64") : (result.body ?? "");
      res.writeHead(
        result.statusCode,
        Object.fromEntries(Object.entries(result.headers ?? {}).map(([k, v]) => [k, String(v)])),
      );
      res.end(out);
    } catch (error) {
      // API Gateway's answer when the integration fails.
      log(`producer API: ${(error as Error).message}`);
      if (!res.headersSent) send(res, 500, '{"message":"Internal Server Error"}');
      else res.end();
    }
  });
  const listen = (port: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        server.off("error", reject);
        resolve();
      });
    });
  try {
    await listen(options.port);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE") throw error;
    log(`port ${options.port} is taken; the producer API listens on a free port instead`);
    await listen(0);
  }
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
