/**
 * The container's one `pg` Pool (see node-postgres' pool-sizing guide: one pool per process, small).
 *
 * In AWS it connects to RDS Proxy with IAM auth: the password is a function, so every new connection
 * gets a fresh 15-minute token from `@aws-sdk/rds-signer`, and TLS verifies the proxy's certificate
 * (issued by Amazon's public CAs, already in Node's trust store).
 *
 * Nothing here pins a proxy connection: no startup parameters (the proxy rejects them, so
 * `statement_timeout` comes from the proxy's InitQuery and the role's default), no `SET`, no named
 * prepared statements, no advisory locks, no LISTEN, no temporary tables. `query_timeout` is the
 * client-side backstop. Locally, DATABASE_URL connects straight to PostgreSQL and `statement_timeout`
 * is a startup parameter.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { Signer } from "@aws-sdk/rds-signer";
import pg from "pg";
import { parseJsonKeepingDigits } from "../../shared/exact-json";
import type { DatabaseSettings } from "./settings";

/**
 * json and jsonb values read with every number as stored (shared/exact-json.ts): PostgreSQL keeps
 * numeric digits a double would lose, and the API answers what it stored.
 */
const JSON_TYPES = new Set<number>([114, 3802]);
const types = {
  getTypeParser: ((oid: number, format?: "text" | "binary") =>
    JSON_TYPES.has(oid) && format !== "binary"
      ? (text: string) => parseJsonKeepingDigits(text)
      : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** pg options for the settings; the IAM token provider is injectable for tests. */
export function poolConfig(settings: DatabaseSettings, tokenProvider?: () => Promise<string>): pg.PoolConfig {
  const common: pg.PoolConfig = {
    types,
    max: settings.poolMax,
    idleTimeoutMillis: settings.idleTimeoutMs,
    connectionTimeoutMillis: settings.connectTimeoutMs,
    // Backstop for a server that never answers; the server-side statement timeout fires first.
    query_timeout: settings.statementTimeoutMs + 1_000,
    // A Lambda container may be frozen between requests: let the pool drop idle clients.
    allowExitOnIdle: true,
  };
  if (settings.kind === "url") {
    return { ...common, connectionString: settings.url, statement_timeout: settings.statementTimeoutMs };
  }
  const signer = new Signer({
    hostname: settings.host,
    port: settings.port,
    username: settings.user,
    region: settings.region,
  });
  return {
    ...common,
    host: settings.host,
    port: settings.port,
    database: settings.database,
    user: settings.user,
    password: tokenProvider ?? (() => signer.getAuthToken()),
    ssl: { rejectUnauthorized: true, servername: settings.host },
  };
}

export function createPool(settings: DatabaseSettings, logger: Pick<Logger, "warn">): pg.Pool {
  const pool = new pg.Pool(poolConfig(settings));
  // An idle client dropped by the proxy or a stopping cluster must not crash the container.
  pool.on("error", (error) => logger.warn("idle database connection closed", { error: error.message }));
  return pool;
}
