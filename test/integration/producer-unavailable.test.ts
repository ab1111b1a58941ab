/**
 * The stopped-cluster path: with the database unreachable, the producer asks the auto-start function
 * (Lambda client mocked) to start it, once per cooldown, and answers exactly 503 + Retry-After: 120.
 * The handler is the real index.ts wiring, loaded with the environment a deployed function would have.
 */
import { InvokeCommand, LambdaClient } from "@aws-sdk/client-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { createAutoStarter } from "../../functions/producer/auto-start";
import { closedPort, startFakePostgres } from "../helpers/fake-postgres";
import { answer, businessEvent, request } from "../helpers/http";
import { testContext } from "../helpers/lambda";
import { capturePrinted } from "../helpers/printed";
import { producerContainer } from "../helpers/producer";

const EXACT_503 =
  '{"error":"Service Temporarily Unavailable","message":"The database is currently starting. Please retry your request in 1-2 minutes.","status":503,"retry_after":120}';
const FUNCTION_NAME = "cdc-aurora-auto-start-dev";
const PASSWORD = "s3cr3t-Pa55word";

const lambda = mockClient(LambdaClient);
const printed = capturePrinted();

beforeEach(() => {
  lambda.reset();
  lambda.on(InvokeCommand).resolves({ StatusCode: 202 });
});

describe("database refusing connections (index.ts wiring)", () => {
  let handler: (event: unknown, context: unknown) => Promise<unknown>;
  beforeAll(async () => {
    vi.stubEnv(
      "DATABASE_URL",
      `postgres://cdc_producer:${PASSWORD}@127.0.0.1:${await closedPort()}/postgres`,
    );
    vi.stubEnv("AURORA_AUTO_START_FUNCTION_NAME", FUNCTION_NAME);
    vi.stubEnv("AWS_REGION", "eu-west-1");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
    vi.resetModules();
    ({ handler } = (await import("../../functions/producer/index")) as never);
  });
  afterAll(() => {
    vi.unstubAllEnvs();
  });

  it("answers exactly 503 + Retry-After: 120 and invokes auto-start asynchronously, once", async () => {
    const first = (await handler(request("POST", "/events", businessEvent()), testContext())) as {
      statusCode: number;
      headers: Record<string, string>;
      body: string;
    };
    expect(first.statusCode).toBe(503);
    expect(first.body).toBe(EXACT_503);
    expect(first.headers["Retry-After"]).toBe("120");
    expect(first.headers["Content-Type"]).toBe("application/json");

    // More requests in the same container while the cluster starts: still 503, no second invoke.
    const batch = answer(
      await handler(request("POST", "/events/batch", { events: [businessEvent()] }), testContext()),
    );
    const read = answer(await handler(request("GET", "/events/abc"), testContext()));
    expect([batch.status, read.status]).toEqual([503, 503]);

    const calls = lambda.commandCalls(InvokeCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toMatchObject({ FunctionName: FUNCTION_NAME, InvocationType: "Event" });
  });

  it("reports the database down on /health without waking it", async () => {
    const res = answer(await handler(request("GET", "/health"), testContext()));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ status: "unavailable", database: { status: "down" } });
    expect(res.headers["retry-after"]).toBe("120");
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
  });

  it("never prints the password or the connection string", async () => {
    await handler(request("POST", "/events", businessEvent()), testContext());
    const output = printed.text();
    expect(output).toContain("database unreachable");
    expect(output).not.toContain(PASSWORD);
    expect(output).not.toContain("postgres://");
  });
});

describe("other ways a stopped or starting cluster looks", () => {
  const container = async (url: string) =>
    producerContainer(
      { DATABASE_URL: url, DB_CONNECT_TIMEOUT_MS: "500" },
      createAutoStarter({
        lambda: new LambdaClient({ region: "eu-west-1" }),
        functionName: FUNCTION_NAME,
        cooldownMs: 60_000,
        logger: { info: () => {}, error: () => {} } as never,
      }),
    );

  /** POSTs one event and checks the answer is exactly the "database starting" 503. */
  const expectStarting503 = async (api: Awaited<ReturnType<typeof container>>) => {
    const res = (await api.invoke(request("POST", "/events", businessEvent()))) as {
      statusCode: number;
      body: string;
    };
    expect(res.statusCode).toBe(503);
    expect(res.body).toBe(EXACT_503);
  };

  it.each(["silent", "starting-up"] as const)("a %s server: 503 exact and one invoke", async (mode) => {
    const fake = await startFakePostgres(mode);
    const api = await container(fake.url);
    try {
      await expectStarting503(api);
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    } finally {
      await api.close();
      await fake.stop();
    }
  });

  it("still answers 503 when the auto-start invoke itself fails", async () => {
    lambda.on(InvokeCommand).rejects(new Error("AccessDeniedException"));
    const api = await container(`postgres://u:p@127.0.0.1:${await closedPort()}/postgres`);
    try {
      await expectStarting503(api);
    } finally {
      await api.close();
    }
  });

  it("without an auto-start function (production) answers 503 without promising a start", async () => {
    const api = producerContainer({
      DATABASE_URL: `postgres://u:p@127.0.0.1:${await closedPort()}/postgres`,
    });
    try {
      const res = answer(await api.invoke(request("POST", "/events", businessEvent())));
      expect(res.status).toBe(503);
      expect(res.body.message).toMatch(/currently unavailable/);
      expect(lambda.commandCalls(InvokeCommand)).toHaveLength(0);
    } finally {
      await api.close();
    }
  });
});
