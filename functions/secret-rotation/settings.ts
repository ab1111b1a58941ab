/** Secret rotation settings from the environment, validated once at cold start. */
import { z } from "zod";
import { hostName, pgIdentifier, portNumber, secretArn } from "../../shared/connection-fields";
import { parseEnvironment } from "../../shared/environment";

const envSchema = z.object({
  DB_HOST: hostName,
  DB_PORT: portNumber,
  DB_NAME: pgIdentifier,
  MASTER_SECRET_ARN: secretArn,
  DMS_SECRET_ARN: secretArn,
  DMS_USER: pgIdentifier,
  PRODUCER_SECRET_ARN: secretArn,
  PRODUCER_USER: pgIdentifier,
});

export type RotationSettings = {
  host: string;
  port: number;
  database: string;
  masterSecretArn: string;
  /** The secrets rotated here, each with the login it must name. */
  logins: ReadonlyMap<string, string>;
};

export function loadRotationSettings(env: NodeJS.ProcessEnv): RotationSettings {
  const e = parseEnvironment(envSchema, env, "secret rotation");
  return {
    host: e.DB_HOST,
    port: e.DB_PORT,
    database: e.DB_NAME,
    masterSecretArn: e.MASTER_SECRET_ARN,
    logins: new Map([
      [e.DMS_SECRET_ARN, e.DMS_USER],
      [e.PRODUCER_SECRET_ARN, e.PRODUCER_USER],
    ]),
  };
}
