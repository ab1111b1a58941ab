/**
 * The local stack on a PostgreSQL of one's own that takes TLS connections only (DATABASE_URL), as a dev
 * database in the cloud is set up: without TLS in the URL, or with a certificate of the server's own CA
 * the URL does not name, the start fails saying what to put in the URL (not only PostgreSQL's or Node's
 * words); with the CA named, every connection (migrations, the capture's replication stream, the
 * producer, verify) goes over TLS and a row reaches its index. Real PostgreSQL, certificates made with
 * openssl.
 */
import { chmodSync, chownSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { stopOnInterrupt } from "../../tools/lib/abandoned-postgres";
import { type RunningPostgres, startEmbeddedPostgres } from "../../tools/local-stack/postgres";
import { LocalStack } from "../../tools/local-stack/stack";
import { certificates } from "../helpers/certificates";
import { uniquePrefix } from "../helpers/search";
import { verifyStack } from "../helpers/stack";

const scratch = mkdtempSync(join(tmpdir(), "cdc-own-db-tls-"));
chmodSync(scratch, 0o711); // as root, PostgreSQL runs as postgres and passes through to its data
const config = join(scratch, "pipeline.yaml");
let server: RunningPostgres;
let forget: () => void;
let plain: URL;

beforeAll(async () => {
  forget = stopOnInterrupt(join(scratch, "postgres"));
  server = await startEmbeddedPostgres({ dir: join(scratch, "postgres"), fresh: true, fast: true });
  plain = new URL(server.url);
  writeFileSync(
    config,
    "tables:\n  public.items: {primaryKey: [id], index: items, columns: {price: number}}\n",
  );
  const db = new pg.Client({ connectionString: server.url });
  await db.connect();
  try {
    await db.query("CREATE TABLE public.items (id int PRIMARY KEY, price numeric(10,2))");
    // TLS on, with a certificate for the URL's host signed by a CA of the server's own; TLS only.
    certificates(scratch, plain.hostname);
    const dataDir = (await db.query("SHOW data_directory")).rows[0].data_directory as string;
    const owner = statSync(dataDir);
    for (const file of ["server.crt", "server.key"]) {
      copyFileSync(join(scratch, file), join(dataDir, file));
      chownSync(join(dataDir, file), owner.uid, owner.gid); // as root, the server runs as postgres
    }
    const hba = (await db.query("SHOW hba_file")).rows[0].hba_file as string;
    writeFileSync(
      hba,
      [
        "local all all scram-sha-256",
        "hostssl all all all scram-sha-256",
        "hostssl replication all all scram-sha-256",
        "",
      ].join("\n"),
    );
    await db.query("ALTER SYSTEM SET ssl = on");
    await db.query("SELECT pg_reload_conf()");
  } finally {
    await db.end();
  }
}, 120_000);
afterAll(async () => {
  await server?.stop();
  forget?.();
  rmSync(scratch, { recursive: true, force: true });
});

/** The server's URL with these query parameters. */
function urlWith(params: Record<string, string>): string {
  const url = new URL(plain.href);
  for (const [name, value] of Object.entries(params)) url.searchParams.set(name, value);
  return url.href;
}

const stackOn = (databaseUrl: string) =>
  new LocalStack({
    ephemeral: true,
    dir: join(scratch, `stack-${Date.now()}`),
    fresh: true,
    databaseUrl,
    pipelineConfig: config,
    indexPrefix: uniquePrefix(),
    ...(process.env.OPENSEARCH_URL && { opensearchUrl: process.env.OPENSEARCH_URL }),
    esm: { batchingWindowMs: 50 },
    producerApiPort: false,
    log: () => undefined,
  });

describe("npm start on a database of one's own that takes TLS connections only", () => {
  it("says to add sslmode to a URL without it, and to name the CA for a certificate of the server's own CA", {
    timeout: 60_000,
  }, async () => {
    const withoutTls = await stackOn(plain.href)
      .start()
      .catch((e: Error) => e);
    expect((withoutTls as Error).message).toMatch(
      /^the database \(DATABASE_URL=postgres:\/\/postgres:\*\*\*\*@.*\): no pg_hba\.conf entry .* no encryption; the server takes TLS connections only: add sslmode=verify-full to the URL \(and sslrootcert=<ca\.pem> for a CA of its own\)$/,
    );

    const untrusted = await stackOn(urlWith({ sslmode: "verify-full" }))
      .start()
      .catch((e: Error) => e);
    expect((untrusted as Error).message).toMatch(
      /: unable to verify the first certificate; the server's certificate is not signed by a CA Node trusts: name its CA in the URL \(sslmode=verify-full&sslrootcert=<ca\.pem>\)$/,
    );
    expect((untrusted as Error).message).not.toContain("--use-system-ca");
  });

  it("runs over TLS with the CA named in the URL: a row reaches its index and verify finds them equal", {
    timeout: 120_000,
  }, async () => {
    const url = urlWith({ sslmode: "verify-full", sslrootcert: join(scratch, "ca.pem") });
    const stack = await stackOn(url).start();
    const db = new pg.Client({ connectionString: url });
    try {
      await db.connect();
      await db.query("INSERT INTO public.items VALUES (1, 12.50), (2, 3.10)");
      const tls = await db.query("SELECT count(*)::int AS n FROM pg_stat_ssl WHERE ssl");
      // This client, the stack's clients and the capture's replication connection.
      expect(tls.rows[0].n).toBeGreaterThanOrEqual(2);
      expect(await stack.settle(60_000)).toBe(true);
      const report = await verifyStack(stack);
      expect(report.differences).toEqual([]);
      expect(report.indices.map((i) => [i.expected, i.actual])).toEqual([[2, 2]]);
      const doc = await stack.search.get({
        index: stack.pipeline.routingFor("public", "items").index,
        id: "1",
      });
      expect(doc.body._source).toEqual({ id: 1, price: 12.5 });
    } finally {
      await db.end();
      await stack.search.indices.delete({ index: `${stack.indexPrefix}*` }).catch(() => undefined);
      await stack.stop();
    }
  });
});
