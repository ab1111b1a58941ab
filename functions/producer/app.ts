/**
 * The producer API handler, assembled from its parts (settings, store, auto-start, logger, metrics).
 * index.ts builds those once per container; tests pass their own.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import type { Metrics } from "@aws-lambda-powertools/metrics";
import { logMetrics } from "@aws-lambda-powertools/metrics/middleware";
import middy from "@middy/core";
import httpErrorHandler from "@middy/http-error-handler";
import httpRouterHandler from "@middy/http-router";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import type { AutoStartResult } from "./auto-start";
import type { EventStore } from "./event-store";
import { bodyGuard } from "./http/body-guard";
import { errorResponses } from "./http/error-responses";
import { jsonBody } from "./http/json-body";
import { producerRoutes } from "./routes";
import type { ProducerSettings } from "./settings";

export type ProducerDeps = {
  settings: Pick<ProducerSettings, "limits" | "autoStart" | "publicBaseUrl">;
  store: Pick<EventStore, "save" | "saveAll" | "find" | "ping">;
  requestStart: (reason: string) => Promise<AutoStartResult>;
  logger: Logger;
  metrics: Metrics;
};

/** Last resort if rendering itself fails: still JSON, still no details. */
const FALLBACK = JSON.stringify({
  error: "Internal Server Error",
  message: "The request failed.",
  status: 500,
});

export function createProducerHandler(deps: ProducerDeps) {
  const { limits, autoStart } = deps.settings;
  const routes = producerRoutes({
    store: deps.store,
    limits,
    retryAfterSeconds: autoStart.retryAfterSeconds,
    publicBaseUrl: deps.settings.publicBaseUrl,
    logger: deps.logger,
    metrics: deps.metrics,
  }).map((route) => ({
    ...route,
    handler:
      route.method === "POST"
        ? middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(route.handler)
            .use(bodyGuard({ maxBytes: limits.maxBodyBytes }))
            .use(jsonBody())
        : route.handler,
  }));

  return middy<APIGatewayProxyEventV2, APIGatewayProxyResultV2>()
    .use(httpErrorHandler({ logger: false, fallbackMessage: FALLBACK }))
    .use(injectLambdaContext(deps.logger, { resetKeys: true }))
    .use(logMetrics(deps.metrics))
    .use(
      errorResponses({
        logger: deps.logger,
        metrics: deps.metrics,
        requestStart: deps.requestStart,
        retryAfterSeconds: autoStart.retryAfterSeconds,
      }),
    )
    .handler(httpRouterHandler<APIGatewayProxyEventV2, APIGatewayProxyResultV2>(routes));
}
