/**
 * A database connection for an operator command, or an error that says which database could not be
 * reached, and, for a certificate refused, what to check: a stage's cluster is reached over TLS checked
 * against the RDS CA bundle (PGSSLROOTCERT), often through a tunnel (`--db-host`), and Node's own words
 * ("unable to verify the first certificate; ... try running Node.js with --use-system-ca") point away
 * from the fix. A database URL of one's own (DATABASE_URL) gets the URL's terms instead.
 */
import pg from "pg";
import { type CertificateProblem, certificateProblem, withoutNodeAdvice } from "./certificate-problem";

export class DatabaseConnectError extends Error {
  override name = "DatabaseConnectError";
}

/** Where a connection goes, as said to the operator (never the password). */
function where(database: string | pg.ClientConfig): string {
  if (typeof database === "string") {
    try {
      const url = new URL(database);
      return `${url.hostname}:${url.port || 5432}${url.username ? ` as ${decodeURIComponent(url.username)}` : ""}`;
    } catch {
      return "DATABASE_URL (not a URL)";
    }
  }
  return `${database.host ?? "localhost"}:${database.port ?? 5432}${database.user ? ` as ${database.user}` : ""}`;
}

/**
 * Why a connection to `database` failed, and what to do: a stage's cluster (a config) is checked against
 * the CA bundle in PGSSLROOTCERT; a database URL of one's own (DATABASE_URL) names its CA in the URL, as
 * libpq's URLs do (node-postgres reads no PGSSLROOTCERT).
 */
export function databaseFailure(database: string | pg.ClientConfig, error: Error): string {
  const problem = certificateProblem(error);
  const reason = withoutNodeAdvice(error.message);
  if (typeof database === "string") return `${reason}${urlHint(problem, reason)}`;
  const servername = typeof database.ssl === "object" ? database.ssl.servername : undefined;
  let hint = "";
  if (problem === "untrusted")
    hint =
      "; the certificate is not signed by a CA in PGSSLROOTCERT: set it to the RDS CA bundle (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)";
  else if (problem === "name")
    hint = `; the certificate is checked against ${servername ?? "the host's name"}${servername ? " (the cluster endpoint: --db-host only changes where to connect)" : ""}`;
  else if (problem === "expired") hint = "; the server's certificate has expired";
  return `${reason}${hint}`;
}

/** What to change in a database URL for a refused certificate, or for a server that takes TLS only. */
function urlHint(problem: CertificateProblem | undefined, reason: string): string {
  if (problem === "untrusted")
    return "; the server's certificate is not signed by a CA Node trusts: name its CA in the URL (sslmode=verify-full&sslrootcert=<ca.pem>)";
  if (problem === "name")
    return "; connect by the host name the server's certificate was issued for (or sslmode=verify-ca&sslrootcert=<ca.pem> to check the CA only)";
  if (problem === "expired") return "; the server's certificate has expired";
  // PostgreSQL's answer when its pg_hba.conf takes this client over TLS only.
  if (/no pg_hba\.conf entry .*no encryption/.test(reason))
    return "; the server takes TLS connections only: add sslmode=verify-full to the URL (and sslrootcert=<ca.pem> for a CA of its own)";
  return "";
}

/** The operator's words for a failed connection to `database`. */
export function connectFailure(database: string | pg.ClientConfig, error: Error): string {
  return `cannot connect to the database at ${where(database)}: ${databaseFailure(database, error)}`;
}

export async function connectDatabase(database: string | pg.ClientConfig): Promise<pg.Client> {
  const db = new pg.Client(typeof database === "string" ? { connectionString: database } : database);
  // A connection the server ends (a restart, a terminate) fails the query under way, which the command
  // reports; unheard, the client's error event would end it with a stack trace.
  db.on("error", () => undefined);
  try {
    await db.connect();
  } catch (error) {
    await db.end().catch(() => undefined);
    throw new DatabaseConnectError(connectFailure(database, error as Error), { cause: error });
  }
  return db;
}
