/**
 * `npm run verify -- --config-env dev` as an operator runs it against a stage whose cluster is behind a
 * tunnel: the stack's outputs (moto's CloudFormation) name the domain, the cluster endpoint, the DMS
 * user's secret (moto's Secrets Manager) and the index prefix; the database is reached at
 * `--db-host/--db-port` over TLS, its certificate checked against PGSSLROOTCERT and the cluster's name.
 * Real PostgreSQL with TLS (certificates made with openssl), the OpenSearch API emulator signed to with
 * SigV4 as the domain is (which the emulator does not check). An equal index passes, a changed row is a
 * difference with the stage's repair command, and a certificate from another CA is refused in the
 * operator's words.
 */
import { chownSync, copyFileSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readSamConfig } from "../../operator/lib/samconfig";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { type RunningEmulator, startEmulator } from "../../tools/opensearch-emulator/server";
import { certificates } from "../helpers/certificates";
import { MOTO_CREDENTIALS, stageStack, startMoto } from "../helpers/moto";
import { npmRun } from "../helpers/npm-run";
import { startDatabase } from "../helpers/producer";
import { indexTableAsLoaded, uniquePrefix } from "../helpers/search";

const STAGE = "dev";
const stage = readSamConfig("samconfig.toml", STAGE, "deploy");
const region = String(stage.region);
const CLUSTER = `cdc-aurora-${STAGE}.cluster-test.${region}.rds.amazonaws.com`;
const credentials = MOTO_CREDENTIALS;
const prefix = uniquePrefix();
const CONFIG = `tables:
  public.items:
    primaryKey: [id]
    index: items
    columns: {price: {type: number, scale: 2}}
`;
const scratch = mkdtempSync(join(tmpdir(), "cdc-verify-stage-"));
const configPath = join(scratch, "pipeline.yaml");
let moto: Awaited<ReturnType<typeof startMoto>>;
let database: Awaited<ReturnType<typeof startDatabase>>;
let search: RunningEmulator;
let env: Record<string, string | undefined>;
let port: string;

beforeAll(async () => {
  [moto, database, search] = await Promise.all([
    startMoto(),
    startDatabase({ migrate: false }),
    startEmulator(),
  ]);
  const { db } = database;
  await db.query("CREATE TABLE public.items (id int PRIMARY KEY, name text, price numeric(10,2))");
  await db.query("INSERT INTO public.items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 3) AS g");
  writeFileSync(configPath, CONFIG);
  await indexTableAsLoaded(
    db,
    search.url,
    parsePipelineConfig(CONFIG, { indexPrefix: prefix }),
    "public.items",
  );

  // The cluster: TLS on, with a certificate for the cluster's name; the DMS user reads the tables.
  certificates(scratch, CLUSTER);
  const dataDir = (await db.query("SHOW data_directory")).rows[0].data_directory as string;
  const owner = statSync(dataDir);
  for (const file of ["server.crt", "server.key"]) {
    copyFileSync(join(scratch, file), join(dataDir, file));
    chownSync(join(dataDir, file), owner.uid, owner.gid); // as root, the server runs as postgres
  }
  await db.query("ALTER SYSTEM SET ssl = on");
  await db.query("SELECT pg_reload_conf()");
  await db.query("CREATE ROLE dms_user LOGIN PASSWORD 'dms-password-1'");
  await db.query("GRANT SELECT ON ALL TABLES IN SCHEMA public TO dms_user");
  port = new URL(database.url).port;

  // The stage's account: the DMS user's secret, the stack's outputs.
  const secrets = new SecretsManagerClient({ region, endpoint: moto.endpoint, credentials });
  const { ARN } = await secrets.send(
    new CreateSecretCommand({
      Name: `cdc-dms-${STAGE}`,
      SecretString: JSON.stringify({ username: "dms_user", password: "dms-password-1" }),
    }),
  );
  secrets.destroy();
  await stageStack(moto.endpoint, STAGE, {
    SearchDomainEndpoint: search.url,
    DbClusterEndpoint: CLUSTER,
    DmsDbSecretArn: ARN as string,
    IndexPrefix: prefix,
    DbName: "postgres",
  });
  env = {
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_ACCESS_KEY_ID: credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
    AWS_REGION: "us-west-2", // the shell's; samconfig.toml's region wins
    AWS_PROFILE: undefined,
    PGSSLROOTCERT: join(scratch, "ca.pem"),
    PIPELINE_CONFIG: configPath,
    LOCAL_STACK_DIR: join(scratch, "no-stack"),
    OPENSEARCH_URL: undefined,
    DATABASE_URL: undefined,
  };
}, 120_000);
afterAll(async () => {
  await search?.stop();
  await database?.stop();
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

const verifyStage = (extra: Record<string, string> = {}) =>
  npmRun(
    "verify",
    ["--config-env", STAGE, "--db-host", "127.0.0.1", "--db-port", port, "--second-look", "0", "--quiet"],
    { ...env, ...extra },
    60_000,
  );

describe("npm run verify -- --config-env <stage>, the cluster through a tunnel", () => {
  it("compares the stage's tables with its indices over TLS checked against the cluster's name", {
    timeout: 120_000,
  }, async () => {
    const equal = await verifyStage();
    expect(equal.stdout).toContain(`ok   ${prefix}items: 3 expected, 3 found, 0 differences`);
    expect(equal.code).toBe(0);

    await database.db.query("UPDATE public.items SET price = 9.99 WHERE id = 2");
    const changed = await verifyStage();
    expect(changed.stdout).toContain(`DIFF ${prefix}items: 3 expected, 3 found, 1 differences`);
    expect(changed.stdout).toContain("price: expected 9.99, found 2.5");
    expect(changed.stdout).toContain(
      `repair: npm run reload -- --rebuild --config-env ${STAGE} public.items`,
    );
    expect(changed.code).toBe(1);
  });

  it("refuses a certificate the CA bundle does not vouch for, and a bundle it cannot read, in the operator's words", {
    timeout: 60_000,
  }, async () => {
    const untrusted = await verifyStage({ PGSSLROOTCERT: join(scratch, "other.pem") });
    expect(untrusted.stderr).toContain(
      `verify: cannot connect to the database at 127.0.0.1:${port} as dms_user: unable to verify the first certificate; the certificate is not signed by a CA in PGSSLROOTCERT`,
    );
    expect(untrusted.stderr).not.toContain("--use-system-ca");
    expect(untrusted.code).toBe(2);
    const missing = await verifyStage({ PGSSLROOTCERT: join(scratch, "absent.pem") });
    expect(missing.stderr).toContain(`PGSSLROOTCERT=${join(scratch, "absent.pem")} cannot be read (ENOENT)`);
    expect(missing.code).toBe(2);
  });
});
