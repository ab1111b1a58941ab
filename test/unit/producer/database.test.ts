/** Settings, pool options (IAM vs local) and the classification of database failures. */
import { afterEach, describe, expect, it, vi } from "vitest";
import { poolConfig } from "../../../functions/producer/database";
import { databaseFailure, isDatabaseUnavailable } from "../../../functions/producer/database-errors";
import { loadProducerSettings } from "../../../functions/producer/settings";

const awsEnv = {
  AWS_REGION: "eu-west-1",
  DB_HOST: "cdc-producer-dev.proxy-abc.eu-west-1.rds.amazonaws.com",
  DB_NAME: "app",
  DB_USER: "cdc_producer",
};
afterEach(() => {
  vi.unstubAllEnvs();
});

describe("settings", () => {
  it("needs DB_HOST or DATABASE_URL and keeps the pool at 1-2 connections", () => {
    expect(() => loadProducerSettings({})).toThrow(/DB_HOST/);
    expect(() => loadProducerSettings({ ...awsEnv, DB_POOL_MAX: "5" })).toThrow(/DB_POOL_MAX/);
    expect(loadProducerSettings(awsEnv).database).toMatchObject({ kind: "iam", poolMax: 1, port: 5432 });
    expect(loadProducerSettings({ DATABASE_URL: "postgres://u:p@localhost/db" }).database.kind).toBe("url");
    // As deployed: the template declares DATABASE_URL empty.
    expect(loadProducerSettings({ ...awsEnv, DATABASE_URL: "" }).database.kind).toBe("iam");
    expect(() => loadProducerSettings({ DATABASE_URL: "" })).toThrow(/DB_HOST/);
  });
});

describe("poolConfig", () => {
  it("in AWS: IAM token as the password (fresh per connection), verified TLS, no startup parameters", async () => {
    // The Lambda role's credentials, as the runtime provides them.
    vi.stubEnv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE");
    vi.stubEnv("AWS_SECRET_ACCESS_KEY", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY");
    const config = poolConfig(loadProducerSettings(awsEnv).database);
    expect(config).toMatchObject({
      host: awsEnv.DB_HOST,
      port: 5432,
      user: "cdc_producer",
      database: "app",
      max: 1,
      ssl: { rejectUnauthorized: true, servername: awsEnv.DB_HOST },
    });
    // RDS Proxy refuses startup parameters such as statement_timeout, and they would pin sessions.
    expect(config.statement_timeout).toBeUndefined();
    expect(config.options).toBeUndefined();
    expect(typeof config.password).toBe("function");
    const token = await (config.password as () => Promise<string>)();
    const url = new URL(`https://${token}`);
    expect(url.host).toBe(`${awsEnv.DB_HOST}:5432`);
    expect(url.searchParams.get("Action")).toBe("connect");
    expect(url.searchParams.get("DBUser")).toBe("cdc_producer");
    expect(url.searchParams.get("X-Amz-Credential")).toMatch(
      /^AKIDEXAMPLE\/\d{8}\/eu-west-1\/rds-db\/aws4_request$/,
    );
  });

  it("locally: the URL, with statement_timeout as a startup parameter", () => {
    const config = poolConfig(loadProducerSettings({ DATABASE_URL: "postgres://u:p@localhost/db" }).database);
    expect(config).toMatchObject({
      connectionString: "postgres://u:p@localhost/db",
      statement_timeout: 5_000,
    });
    expect(config.ssl).toBeUndefined();
  });
});

describe("databaseFailure", () => {
  const pgError = (message: string, code?: string) => Object.assign(new Error(message), { code });
  it.each([
    [pgError("Query read timeout"), "DatabaseTimeoutError"],
    [pgError("canceling statement due to statement timeout", "57014"), "DatabaseTimeoutError"],
    [pgError("canceling statement due to lock timeout", "55P03"), "DatabaseTimeoutError"],
    [pgError("canceling statement due to user request", "57014"), "DatabaseError"],
    [pgError("timeout exceeded when trying to connect"), "DatabaseUnavailableError"],
    [pgError('relation "business_events" does not exist', "42P01"), "DatabaseError"],
  ])("%s -> %s", (error, expected) => {
    expect(databaseFailure("insert", error).name).toBe(expected);
  });
});

describe("isDatabaseUnavailable", () => {
  const err = (props: Record<string, unknown>) =>
    Object.assign(new Error(String(props.message ?? "x")), props);
  it.each([
    [err({ code: "ECONNREFUSED" }), true],
    [err({ code: "ETIMEDOUT" }), true],
    [new AggregateError([err({ code: "ECONNREFUSED" })], ""), true],
    [err({ message: "timeout exceeded when trying to connect" }), true],
    [
      new Error("wrapped", { cause: err({ message: "Connection terminated due to connection timeout" }) }),
      true,
    ],
    [err({ code: "57P03", message: "the database system is starting up" }), true],
    [err({ code: "08006" }), true],
    [err({ message: "Timed-out waiting to acquire database connection" }), true],
    [err({ code: "42P01", message: 'relation "business_events" does not exist' }), false],
    [err({ code: "23514", message: "violates check constraint" }), false],
    [err({ code: "28P01", message: "password authentication failed" }), false],
    [err({ code: "ENOTFOUND" }), false],
  ])("%s -> %s", (error, expected) => {
    expect(isDatabaseUnavailable(error)).toBe(expected);
  });
});
