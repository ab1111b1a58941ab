/** API Gateway HTTP API events for the producer's routes, as the deployed API would send them. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from "aws-lambda";
import { httpApiEvent, matchRoute } from "../../tools/lib/http-api-event";

export const PRODUCER_ROUTES = ["POST /events", "POST /events/batch", "GET /events/{id}", "GET /health"];

export function request(
  method: string,
  path: string,
  body?: unknown,
  options: { headers?: Record<string, string>; raw?: string | Buffer } = {},
): APIGatewayProxyEventV2 {
  const text = options.raw ?? (body === undefined ? undefined : JSON.stringify(body));
  const headers = { ...(text !== undefined && { "content-type": "application/json" }), ...options.headers };
  return httpApiEvent({ method, path, headers, body: text }, matchRoute(PRODUCER_ROUTES, method, path));
}

export type Answer = { status: number; headers: Record<string, string>; body: Record<string, unknown> };

export function answer(result: unknown): Answer {
  const r = result as APIGatewayProxyStructuredResultV2;
  const headers = Object.fromEntries(
    Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), String(v)]),
  );
  return { status: r.statusCode ?? 0, headers, body: r.body ? JSON.parse(r.body) : {} };
}

let counter = 0;
/** A valid business event; `overrides` replaces header fields. */
export function businessEvent(
  overrides: Record<string, unknown> = {},
  uuid = `evt-${process.pid}-${++counter}`,
) {
  return {
    eventHeader: {
      uuid,
      eventName: "LoanCreated",
      eventType: "LoanCreated",
      createdDate: 1_705_314_600_000,
      savedDate: "2024-01-15T10:30:05Z",
      ...overrides,
    },
    eventBody: {
      entities: [
        {
          entityType: "Loan",
          entityId: "loan-456",
          updatedAttributes: { loan: { loanAmount: 50_000, balance: 50_000, status: "active" } },
        },
      ],
    },
  };
}

/** What the API stores for an event: header dates as epoch milliseconds. */
export function stored<T extends { eventHeader: Record<string, unknown> }>(event: T): T {
  const ms = (v: unknown) => (typeof v === "string" ? Date.parse(v) : v);
  const { createdDate, savedDate, ...rest } = event.eventHeader;
  return {
    ...event,
    eventHeader: {
      ...rest,
      createdDate: ms(createdDate),
      ...(savedDate !== undefined && { savedDate: ms(savedDate) }),
    },
  };
}

/** The event with one more attribute on its first entity. */
export function withAttribute<T extends ReturnType<typeof businessEvent>>(
  event: T,
  key: string,
  value: unknown,
): T {
  const [first, ...rest] = event.eventBody.entities;
  return {
    ...event,
    eventBody: {
      ...event.eventBody,
      entities: [{ ...first, updatedAttributes: { ...first?.updatedAttributes, [key]: value } }, ...rest],
    },
  } as T;
}
