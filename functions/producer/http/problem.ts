/**
 * HTTP errors as JSON problem bodies `{ error, message, status, ... }`. The message is the JSON body,
 * which is how @middy/http-error-handler renders an exposed error (it sets `application/json`).
 */
import { STATUS_CODES } from "node:http";
import { PipelineError } from "../../../shared/errors";

export type ProblemBody = { error: string; message: string; status: number } & Record<string, unknown>;

export class HttpProblem extends PipelineError {
  override name = "HttpProblem";
  readonly statusCode: number;
  readonly expose = true;
  readonly headers: Record<string, string>;
  readonly body: ProblemBody;

  constructor(
    status: number,
    message: string,
    options: {
      extra?: Record<string, unknown>;
      headers?: Record<string, string>;
      error?: string;
      cause?: unknown;
    } = {},
  ) {
    const body: ProblemBody = {
      error: options.error ?? STATUS_CODES[status] ?? "Error",
      message,
      status,
      ...options.extra,
    };
    super(`http_${status}`, JSON.stringify(body), { cause: options.cause });
    this.statusCode = status;
    this.body = body;
    this.headers = options.headers ?? {};
  }
}

/** Exactly the body and header the issue specifies for a database that is (being) started. */
export function databaseStartingProblem(retryAfterSeconds: number, cause?: unknown): HttpProblem {
  return new HttpProblem(
    503,
    "The database is currently starting. Please retry your request in 1-2 minutes.",
    {
      error: "Service Temporarily Unavailable",
      extra: { retry_after: retryAfterSeconds },
      headers: { "Retry-After": String(retryAfterSeconds) },
      cause,
    },
  );
}

/** Where no auto-start is configured (production): unavailable, without promising a start. */
export function databaseUnavailableProblem(retryAfterSeconds: number, cause?: unknown): HttpProblem {
  return new HttpProblem(503, "The database is currently unavailable. Please retry your request later.", {
    error: "Service Temporarily Unavailable",
    extra: { retry_after: retryAfterSeconds },
    headers: { "Retry-After": String(retryAfterSeconds) },
    cause,
  });
}

export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}) {
  return {
    statusCode,
    headers: { "Content-Type": "application/json", ...headers },
    body: JSON.stringify(body),
  };
}

/** A statement the database did not finish in time: retrying is safe, events being idempotent by uuid. */
export function databaseTimeoutProblem(cause?: unknown): HttpProblem {
  return new HttpProblem(
    504,
    "The database did not answer in time. The request may have been written: retrying it is safe (events are idempotent by uuid).",
    { cause },
  );
}
