/**
 * Database bootstrap (CloudFormation custom resource): migrations and CDC prerequisites on the Aurora
 * cluster, as its master user. Wiring only: see app.ts and prerequisites.ts.
 *
 * TLS to the cluster is verified against the RDS certificate authorities, which the Lambda runtime ships
 * in /var/runtime/ca-cert.pem and loads through NODE_EXTRA_CA_CERTS (set in template.yaml).
 */
import { GetSecretValueCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import pg from "pg";
import bundledConfig from "../../config/pipeline.yaml";
import { bundledMigrations } from "../../db/migrations/index";
import { sendCfnResponse } from "../../shared/cfn-response";
import { readLoginSecret } from "../../shared/login-secret";
import { createLogger } from "../../shared/observability";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { BootstrapError, createBootstrapHandler } from "./app";

const secrets = new SecretsManagerClient({ region: process.env.AWS_REGION });

export const handler = createBootstrapHandler({
  readSecret: async (arn) => {
    const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: arn }));
    const read = readLoginSecret(SecretString, `the secret ${arn}`);
    if (!read.ok) throw new BootstrapError("invalid_secret", read.reason);
    return { user: read.login.username, password: read.login.password };
  },
  connect: async ({ host, port, database, user, password }) => {
    const client = new pg.Client({
      host,
      port,
      database,
      user,
      password,
      ssl: { rejectUnauthorized: true, servername: host },
      connectionTimeoutMillis: 10_000,
      statement_timeout: 120_000,
      application_name: "cdc-db-bootstrap",
    });
    await client.connect();
    return client;
  },
  migrations: bundledMigrations,
  // The routing config this deploy bundles, as the indexer does.
  pipeline: parsePipelineConfig(bundledConfig),
  respond: sendCfnResponse,
  logger: createLogger("db-bootstrap"),
});
