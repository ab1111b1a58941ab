/**
 * Secret rotation Lambda: Secrets Manager calls it for the DMS and producer logins' secrets (rotation
 * schedules in template.yaml). Wiring only: see app.ts.
 *
 * TLS to the cluster is verified against the RDS certificate authorities, which the Lambda runtime ships
 * in /var/runtime/ca-cert.pem and loads through NODE_EXTRA_CA_CERTS (set in template.yaml).
 */
import { injectLambdaContext } from "@aws-lambda-powertools/logger/middleware";
import { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import middy from "@middy/core";
import pg from "pg";
import { createLogger } from "../../shared/observability";
import { createRotationHandler } from "./app";
import { secretStore } from "./secret-store";
import { loadRotationSettings } from "./settings";

const logger = createLogger("secret-rotation");
const settings = loadRotationSettings(process.env);
const store = secretStore(new SecretsManagerClient({ region: process.env.AWS_REGION }));

const rotate = createRotationHandler({
  store,
  logins: settings.logins,
  masterSecretArn: settings.masterSecretArn,
  connect: async ({ user, password }) => {
    const client = new pg.Client({
      host: settings.host,
      port: settings.port,
      database: settings.database,
      user,
      password,
      ssl: { rejectUnauthorized: true, servername: settings.host },
      connectionTimeoutMillis: 10_000,
      statement_timeout: 30_000,
      application_name: "cdc-secret-rotation",
    });
    await client.connect();
    return client;
  },
  logger,
});

export const handler = middy(rotate).use(injectLambdaContext(logger));
