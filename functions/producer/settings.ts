/** Producer API settings from the environment, validated once at cold start. */
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/** A declared but empty variable (the template's DATABASE_URL in AWS) counts as unset. */
const unsetIfEmpty = <T extends z.ZodType>(schema: T) =>
  z.preprocess((v) => (v === "" ? undefined : v), schema);

const envSchema = z
  .object({
    AWS_REGION: z.string().min(1).default("us-east-1"),
    /** Local runs only: a full connection string with a password. Empty in AWS. */
    DATABASE_URL: unsetIfEmpty(z.url({ protocol: /^postgres(ql)?$/ }).optional()),
    /** In AWS: the RDS Proxy endpoint, reached with IAM auth and verified TLS. */
    DB_HOST: unsetIfEmpty(z.string().min(1).optional()),
    DB_PORT: int(5432, 1, 65_535),
    DB_NAME: z.string().min(1).default("postgres"),
    DB_USER: z.string().min(1).default("cdc_producer"),
    DB_POOL_MAX: int(1, 1, 2),
    DB_IDLE_TIMEOUT_MS: int(60_000, 1_000, 900_000),
    DB_CONNECT_TIMEOUT_MS: int(5_000, 500, 60_000),
    DB_STATEMENT_TIMEOUT_MS: int(5_000, 100, 60_000),
    /** Name of the Aurora auto-start function; unset in production, where the cluster never stops. */
    AURORA_AUTO_START_FUNCTION_NAME: z.string().min(1).optional(),
    AUTO_START_COOLDOWN_MS: int(60_000, 0, 3_600_000),
    RETRY_AFTER_SECONDS: int(120, 1, 3_600),
    MAX_BODY_BYTES: int(1_048_576, 1_024, 6 * 1_048_576),
    MAX_EVENT_BYTES: int(262_144, 1_024, 1_048_576),
    MAX_BATCH_EVENTS: int(100, 1, 1_000),
    /** Base of the Location header; by default the request's own host and stage. */
    PUBLIC_BASE_URL: z.url().optional(),
  })
  .refine((e) => e.DATABASE_URL !== undefined || e.DB_HOST !== undefined, {
    message:
      "set DB_HOST (RDS Proxy endpoint, IAM auth) or DATABASE_URL (local runs; with `npm start` running, `npm run invoke` sets it)",
    path: ["DB_HOST"],
  });

export type DatabaseSettings =
  | {
      kind: "url";
      url: string;
      poolMax: number;
      idleTimeoutMs: number;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
    }
  | {
      kind: "iam";
      host: string;
      port: number;
      database: string;
      user: string;
      region: string;
      poolMax: number;
      idleTimeoutMs: number;
      connectTimeoutMs: number;
      statementTimeoutMs: number;
    };

export type ProducerSettings = {
  database: DatabaseSettings;
  autoStart: { functionName: string | undefined; cooldownMs: number; retryAfterSeconds: number };
  limits: { maxBodyBytes: number; maxEventBytes: number; maxBatchEvents: number };
  publicBaseUrl: string | undefined;
};

export function loadProducerSettings(env: NodeJS.ProcessEnv): ProducerSettings {
  const e = parseEnvironment(envSchema, env, "producer");
  const pool = {
    poolMax: e.DB_POOL_MAX,
    idleTimeoutMs: e.DB_IDLE_TIMEOUT_MS,
    connectTimeoutMs: e.DB_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: e.DB_STATEMENT_TIMEOUT_MS,
  };
  const database: DatabaseSettings = e.DATABASE_URL
    ? { kind: "url", url: e.DATABASE_URL, ...pool }
    : {
        kind: "iam",
        host: e.DB_HOST as string,
        port: e.DB_PORT,
        database: e.DB_NAME,
        user: e.DB_USER,
        region: e.AWS_REGION,
        ...pool,
      };
  return {
    database,
    autoStart: {
      functionName: e.AURORA_AUTO_START_FUNCTION_NAME,
      cooldownMs: e.AUTO_START_COOLDOWN_MS,
      retryAfterSeconds: e.RETRY_AFTER_SECONDS,
    },
    limits: {
      maxBodyBytes: e.MAX_BODY_BYTES,
      maxEventBytes: e.MAX_EVENT_BYTES,
      maxBatchEvents: e.MAX_BATCH_EVENTS,
    },
    publicBaseUrl: e.PUBLIC_BASE_URL,
  };
}
