/**
 * The producer API's routes. Each handler validates, calls the store and shapes the answer; HTTP
 * plumbing (body limits, JSON parsing, error rendering) is middleware, wired in app.ts.
 *
 *   POST /events        201 created (+ Location) · 200 same uuid, same event · 409 same uuid, other event
 *   POST /events/batch  200 with one result per event, in one transaction; 400/413 and nothing written
 *                       if any event is invalid
 *   GET  /events/{id}   200 the stored event (header dates as epoch milliseconds) · 404
 *   GET  /health        200 database up · 503 database down (reports only; does not wake it)
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { type Metrics, MetricUnit } from "@aws-lambda-powertools/metrics";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { DatabaseTimeoutError, DatabaseUnavailableError } from "./database-errors";
import { toRow } from "./event-row";
import {
  EVENT_ID_PATTERN,
  EVENT_ID_RULE,
  type FieldIssue,
  validateBatch,
  validateEvent,
} from "./event-schema";
import type { EventStore, SaveOutcome } from "./event-store";
import { HttpProblem, json } from "./http/problem";

export type RouteDeps = {
  store: Pick<EventStore, "save" | "saveAll" | "find" | "ping">;
  limits: { maxEventBytes: number; maxBatchEvents: number };
  retryAfterSeconds: number;
  publicBaseUrl: string | undefined;
  logger: Pick<Logger, "info">;
  metrics: Pick<Metrics, "addMetric">;
};

type Handler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyResultV2>;

const STATUS: Record<SaveOutcome, number> = { created: 201, duplicate: 200, conflict: 409 };

function invalid(issues: FieldIssue[], tooLarge: boolean, what: string): HttpProblem {
  return tooLarge
    ? new HttpProblem(413, `The ${what} is larger than the limit.`, { extra: { fields: issues } })
    : new HttpProblem(400, `The ${what} is invalid; nothing was written.`, { extra: { fields: issues } });
}

/** `/events/<id>` under whatever prefix the request came in on (a custom domain's base path). */
function locationOf(
  event: APIGatewayProxyEventV2,
  route: string,
  id: string,
  base: string | undefined,
): string {
  const path = event.rawPath ?? route;
  const prefix = path.endsWith(route) ? path.slice(0, path.length - route.length) : "";
  return `${base ?? ""}${prefix}/events/${encodeURIComponent(id)}`;
}

export function producerRoutes(
  deps: RouteDeps,
): { method: "GET" | "POST"; path: string; handler: Handler }[] {
  const count = (name: string, value: number) => {
    if (value > 0) deps.metrics.addMetric(name, MetricUnit.Count, value);
  };
  /** Outcomes per kind, also published as metrics. */
  const tally = (outcomes: SaveOutcome[]) => {
    const counts: Record<SaveOutcome, number> = { created: 0, duplicate: 0, conflict: 0 };
    for (const outcome of outcomes) counts[outcome]++;
    count("EventsCreated", counts.created);
    count("EventsDuplicate", counts.duplicate);
    count("EventsConflict", counts.conflict);
    return counts;
  };

  const postEvent: Handler = async (event) => {
    const result = validateEvent(event.body as unknown, deps.limits.maxEventBytes);
    if (!result.ok) {
      count("EventsRejected", 1);
      throw invalid(result.issues, result.tooLarge, "event");
    }
    const row = toRow(result.value);
    const outcome = await deps.store.save(row);
    tally([outcome]);
    deps.logger.info("event received", { id: row.id, eventType: row.eventType, outcome });
    if (outcome === "conflict")
      throw new HttpProblem(409, "An event with this uuid already exists with different content.", {
        extra: { id: row.id },
      });
    return json(
      STATUS[outcome],
      { id: row.id, result: outcome },
      { Location: locationOf(event, "/events", row.id, deps.publicBaseUrl) },
    );
  };

  const postBatch: Handler = async (event) => {
    const result = validateBatch(event.body as unknown, deps.limits);
    if (!result.ok) {
      count("EventsRejected", 1);
      throw invalid(result.issues, result.tooLarge, "batch");
    }
    const rows = result.value.map(toRow);
    const outcomes = await deps.store.saveAll(rows);
    const summary = tally(outcomes);
    deps.logger.info("batch received", { events: rows.length, ...summary });
    return json(200, {
      results: rows.map((row, index) => {
        const outcome = outcomes[index] as SaveOutcome;
        return {
          index,
          id: row.id,
          status: STATUS[outcome],
          result: outcome,
          ...(outcome !== "conflict" && {
            location: locationOf(event, "/events/batch", row.id, deps.publicBaseUrl),
          }),
        };
      }),
      ...summary,
    });
  };

  const getEvent: Handler = async (event) => {
    const id = event.pathParameters?.id ?? "";
    if (!EVENT_ID_PATTERN.test(id))
      throw new HttpProblem(400, "The id is not a valid event uuid.", {
        extra: { fields: [{ path: "id", message: EVENT_ID_RULE }] },
      });
    const stored = await deps.store.find(id);
    count("EventsRead", 1);
    if (!stored) throw new HttpProblem(404, "No event with this id.", { extra: { id } });
    return json(200, stored.eventData);
  };

  const health: Handler = async () => {
    count("HealthChecks", 1);
    try {
      const latency = await deps.store.ping();
      return json(200, { status: "ok", database: { status: "up", latency_ms: latency } });
    } catch (error) {
      if (!(error instanceof DatabaseUnavailableError || error instanceof DatabaseTimeoutError)) throw error;
      return json(
        503,
        { status: "unavailable", database: { status: "down" } },
        { "Retry-After": String(deps.retryAfterSeconds) },
      );
    }
  };

  return [
    { method: "POST", path: "/events", handler: postEvent },
    { method: "POST", path: "/events/batch", handler: postBatch },
    { method: "GET", path: "/events/{id}", handler: getEvent },
    { method: "GET", path: "/health", handler: health },
  ];
}
