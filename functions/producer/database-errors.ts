/**
 * Which database failures mean "the cluster is not there right now" (stopped, starting, failing over,
 * or the proxy has no target): those answer 503 and wake the cluster. A statement that did not finish
 * in time (statement_timeout on the server, query_timeout in the client: a lock held elsewhere, a server
 * that stopped answering) answers 504: the cluster is there, and retrying is safe (events are idempotent
 * by uuid). Everything else is a 500. Pure.
 */
import { PipelineError } from "../../shared/errors";

/** Socket errors seen when nothing listens, or the proxy cannot reach its target. */
const NETWORK_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EAI_AGAIN",
  "EPIPE",
]);

/**
 * SQLSTATEs: class 08 (connection exception), 57P01 admin shutdown, 57P02 crash shutdown,
 * 57P03 cannot connect now ("the database system is starting up").
 */
const UNAVAILABLE_SQLSTATE = /^(08...|57P0[123])$/;

/** Messages from pg's pool and client, PostgreSQL itself and RDS Proxy when its target is down. */
const UNAVAILABLE_MESSAGES = [
  /timeout exceeded when trying to connect/i,
  /connection terminated (due to connection timeout|unexpectedly)/i,
  /the database system is (starting up|shutting down|in recovery mode|not yet accepting connections)/i,
  /timed-?out waiting to acquire database connection/i,
  /database (is )?(currently )?(unavailable|not available)/i,
];

type ErrorLike = { code?: unknown; message?: unknown; cause?: unknown; errors?: unknown };

export function isDatabaseUnavailable(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== "object") return false;
  const e = error as ErrorLike;
  const code = typeof e.code === "string" ? e.code : "";
  if (NETWORK_CODES.has(code) || UNAVAILABLE_SQLSTATE.test(code)) return true;
  const message = typeof e.message === "string" ? e.message : "";
  if (UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(message))) return true;
  // Node wraps dual-stack connect failures in an AggregateError; pg wraps timeouts with a cause.
  if (Array.isArray(e.errors) && e.errors.some((inner) => isDatabaseUnavailable(inner, depth + 1)))
    return true;
  return isDatabaseUnavailable(e.cause, depth + 1);
}

/** The database could not be reached; the request can be retried once it is up. */
export class DatabaseUnavailableError extends PipelineError {
  override name = "DatabaseUnavailableError";
  constructor(options?: { cause?: unknown }) {
    super("database_unavailable", "the database cannot be reached", options);
  }
}

/** pg's client-side query_timeout, and PostgreSQL's statement_timeout / lock_timeout cancellations. */
const TIMEOUT_MESSAGES = [/^Query read timeout$/, /^canceling statement due to (statement|lock) timeout$/];

export function isDatabaseTimeout(error: unknown, depth = 0): boolean {
  if (depth > 4 || error === null || typeof error !== "object") return false;
  const e = error as ErrorLike;
  const message = typeof e.message === "string" ? e.message : "";
  if (TIMEOUT_MESSAGES.some((pattern) => pattern.test(message))) return true;
  return isDatabaseTimeout(e.cause, depth + 1);
}

/** A statement the database did not finish in time; the request may have been written. */
export class DatabaseTimeoutError extends PipelineError {
  override name = "DatabaseTimeoutError";
  constructor(options?: { cause?: unknown }) {
    super("database_timeout", "the database did not answer in time", options);
  }
}

/** Any other database failure; its cause is logged, never sent to the client. */
export class DatabaseError extends PipelineError {
  override name = "DatabaseError";
  constructor(operation: string, options?: { cause?: unknown }) {
    super("database_error", `database ${operation} failed`, options);
  }
}

/** The constraint (db/migrations/0002) that keeps a stored event within what DMS carries whole. */
export const FITS_CDC_CONSTRAINT = "business_events_event_data_fits_cdc";

/** An event whose stored form is too large for change data capture: the client's to fix (413). */
export class EventTooLargeForCaptureError extends PipelineError {
  override name = "EventTooLargeForCaptureError";
  constructor(options?: { cause?: unknown }) {
    super("event_too_large_for_capture", "the stored event is too large for change data capture", options);
  }
}

/** Wraps a pg failure in the typed error the HTTP layer maps to 413, 503, 504 or 500. */
export function databaseFailure(operation: string, error: unknown): PipelineError {
  const e = error as { code?: unknown; constraint?: unknown } | null;
  if (e?.code === "23514" && e.constraint === FITS_CDC_CONSTRAINT)
    return new EventTooLargeForCaptureError({ cause: error });
  if (isDatabaseUnavailable(error)) return new DatabaseUnavailableError({ cause: error });
  if (isDatabaseTimeout(error)) return new DatabaseTimeoutError({ cause: error });
  return new DatabaseError(operation, { cause: error });
}
