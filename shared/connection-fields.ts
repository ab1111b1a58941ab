/**
 * The fields that name a database login's whereabouts, as the functions that sign in to the cluster
 * validate them (the database bootstrap's properties, the secret rotation's environment).
 */
import { z } from "zod";

export const hostName = z.string().regex(/^[a-zA-Z0-9.-]{1,255}$/, "a host name");
/** A TCP port, from a string (an environment variable, a CloudFormation property) or a number. */
export const portNumber = z.coerce.number().int().min(1).max(65_535);
/** A lower-case, unquoted PostgreSQL name (a database, a role). */
export const pgIdentifier = z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, "a lower-case PostgreSQL identifier");
export const secretArn = z
  .string()
  .regex(/^arn:aws[a-z-]*:secretsmanager:[^:]+:\d{12}:secret:/, "a Secrets Manager secret ARN");
