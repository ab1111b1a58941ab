/** How failures become answers and log lines: typed 503/500, middy's HTTP errors, nothing of the row. */
import { describe, expect, it } from "vitest";
import {
  DatabaseError,
  DatabaseTimeoutError,
  DatabaseUnavailableError,
} from "../../../functions/producer/database-errors";
import { errorResponses } from "../../../functions/producer/http/error-responses";
import { HttpProblem } from "../../../functions/producer/http/problem";
import { testContext } from "../../helpers/lambda";

function run(error: unknown, started: "invoked" | "disabled" = "invoked") {
  const logged: { level: string; message: string; extra: unknown }[] = [];
  const metrics: string[] = [];
  const middleware = errorResponses({
    logger: {
      warn: (message: string, extra: unknown) => logged.push({ level: "warn", message, extra }),
      error: (message: string, extra: unknown) => logged.push({ level: "error", message, extra }),
    } as never,
    metrics: { addMetric: (name: string) => metrics.push(name) } as never,
    requestStart: async () => started,
    retryAfterSeconds: 120,
  });
  const request = { error, context: testContext(), event: {}, response: undefined, internal: {} };
  return (middleware.onError as (r: typeof request) => Promise<void>)(request).then(() => ({
    problem: request.error as HttpProblem,
    logged,
    metrics,
  }));
}

describe("errorResponses", () => {
  it("answers 500 with the request id and logs no row data from a PostgreSQL error", async () => {
    const pgError = Object.assign(
      new Error('new row for relation "business_events" violates check constraint'),
      {
        code: "23514",
        detail: 'Failing row contains (evt-1, LoanCreated, {"ssn": "123-45-6789"}).',
      },
    );
    const { problem, logged, metrics } = await run(new DatabaseError("insert", { cause: pgError }));
    expect(problem).toBeInstanceOf(HttpProblem);
    expect(problem.statusCode).toBe(500);
    expect(problem.body).toMatchObject({ status: 500, request_id: expect.any(String) });
    expect(JSON.stringify(problem.body)).not.toMatch(/business_events|constraint/);
    expect(logged).toHaveLength(1);
    const line = JSON.stringify(logged[0]);
    expect(line).toContain("23514");
    expect(line).not.toContain("123-45-6789");
    expect(metrics).toEqual(["ServerErrors"]);
  });

  it("answers 503 for an unreachable database, counting the auto-start", async () => {
    const { problem, metrics } = await run(
      new DatabaseUnavailableError({ cause: new Error("ECONNREFUSED") }),
    );
    expect(problem.statusCode).toBe(503);
    expect(problem.headers).toEqual({ "Retry-After": "120" });
    expect(metrics).toEqual(["ServerErrors", "DatabaseUnavailable", "AutoStartInvoked"]);
  });

  it("answers 504 for a statement the database did not finish in time (retrying is safe), waking nothing", async () => {
    const { problem, metrics, logged } = await run(
      new DatabaseTimeoutError({ cause: new Error("Query read timeout") }),
    );
    expect(problem.statusCode).toBe(504);
    expect(problem.body).toEqual({
      error: "Gateway Timeout",
      message:
        "The database did not answer in time. The request may have been written: retrying it is safe (events are idempotent by uuid).",
      status: 504,
    });
    expect(metrics).toEqual(["ServerErrors"]);
    expect(logged.map((l) => [l.level, l.message])).toEqual([["warn", "database did not answer in time"]]);
  });

  it("turns middy's HTTP errors into JSON problems; malformed JSON is a 400", async () => {
    const httpError = (statusCode: number, message: string) =>
      Object.assign(new Error(message), { statusCode, expose: true });
    expect((await run(httpError(422, "Invalid or malformed JSON was provided"))).problem.body).toMatchObject({
      status: 400,
      message: "The body is not valid JSON.",
    });
    expect((await run(httpError(415, "Unsupported Media Type"))).problem.statusCode).toBe(415);
    expect((await run(httpError(404, "Route does not exist"))).problem.body.error).toBe("Not Found");
  });
});
