/**
 * Turns every failure into an exposed HttpProblem for @middy/http-error-handler to render:
 * HTTP errors from middy (415, 422, 404) get the JSON problem shape; an unreachable database wakes
 * the cluster and answers 503 + Retry-After; a statement not finished in time answers 504; anything
 * else is logged here and answers 500 with the request id, never with its message, SQL or stack.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type middy from "@middy/core";
import type { AutoStartResult } from "../auto-start";
import {
  DatabaseTimeoutError,
  DatabaseUnavailableError,
  EventTooLargeForCaptureError,
} from "../database-errors";
import {
  databaseStartingProblem,
  databaseTimeoutProblem,
  databaseUnavailableProblem,
  HttpProblem,
} from "./problem";

export type ErrorResponseOptions = {
  logger: Pick<Logger, "warn" | "error">;
  metrics: Pick<Metrics, "addMetric">;
  requestStart: (reason: string) => Promise<AutoStartResult>;
  retryAfterSeconds: number;
};

type HttpLikeError = Error & { statusCode?: number; expose?: boolean };

export function errorResponses(options: ErrorResponseOptions): middy.MiddlewareObj {
  return {
    onError: async (request) => {
      if (request.error instanceof EventTooLargeForCaptureError)
        request.error = new HttpProblem(
          413,
          "The event is too large once stored: change data capture carries at most 512 KB of event data (numbers are stored written out in full). Nothing was written.",
          { cause: request.error },
        );
      if (request.error instanceof DatabaseTimeoutError) {
        options.logger.warn("database did not answer in time", { cause: summary(request.error.cause) });
        request.error = databaseTimeoutProblem(request.error);
      }
      const error = request.error as HttpLikeError | null;
      const status = typeof error?.statusCode === "number" ? error.statusCode : 500;
      options.metrics.addMetric(status < 500 ? "ClientErrors" : "ServerErrors", MetricUnit.Count, 1);
      if (error instanceof HttpProblem) return;

      if (error instanceof DatabaseUnavailableError) {
        options.metrics.addMetric("DatabaseUnavailable", MetricUnit.Count, 1);
        const started = await options.requestStart("database unreachable");
        if (started === "invoked") options.metrics.addMetric("AutoStartInvoked", MetricUnit.Count, 1);
        options.logger.warn("database unreachable", {
          autoStart: started,
          cause: summary(error.cause),
        });
        request.error =
          started === "disabled"
            ? databaseUnavailableProblem(options.retryAfterSeconds, error)
            : databaseStartingProblem(options.retryAfterSeconds, error);
        return;
      }
      if (error && typeof error.statusCode === "number" && error.statusCode < 500 && error.expose !== false) {
        // The JSON parser says 422 for malformed JSON; malformed syntax is a 400.
        const status = error.statusCode === 422 ? 400 : error.statusCode;
        request.error = new HttpProblem(status, clientMessage(error), { cause: error });
        return;
      }
      const requestId = request.context.awsRequestId;
      options.logger.error("request failed", { error: summary(error) });
      request.error = new HttpProblem(500, "The request failed. Quote the request id when reporting it.", {
        extra: { request_id: requestId },
        cause: error,
      });
    },
  };
}

/** Client errors raised by middy packages, reworded where their text is terse. */
function clientMessage(error: HttpLikeError): string {
  if (error.statusCode === 422)
    return error.message === "Forbidden key in JSON body"
      ? "The body has a forbidden key (__proto__, or constructor with a prototype)."
      : "The body is not valid JSON.";
  if (error.statusCode === 415) return "Send the body as application/json.";
  if (error.statusCode === 404) return "No such route.";
  return error.message;
}

/**
 * Name, code, message and stack of an error and its causes, nothing else: a PostgreSQL error's
 * `detail` can quote the failing row, and connection strings never appear in these fields.
 */
function summary(error: unknown, depth = 0): Record<string, unknown> | undefined {
  if (error === null || typeof error !== "object" || depth > 4) return undefined;
  const e = error as { name?: unknown; code?: unknown; message?: unknown; stack?: unknown; cause?: unknown };
  return {
    name: e.name,
    code: e.code,
    message: e.message,
    ...(depth === 0 && { stack: e.stack }),
    ...(e.cause !== undefined && { cause: summary(e.cause, depth + 1) }),
  };
}
