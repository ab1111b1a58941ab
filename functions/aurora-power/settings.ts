/** Auto-start / auto-stop settings from the environment, validated once at cold start. */
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";

const envSchema = z.object({
  DB_CLUSTER_IDENTIFIER: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,62}$/, "an Aurora cluster identifier"),
  PRODUCER_API_ID: z.string().min(1).optional(),
  AUTO_STOP_IDLE_HOURS: z.coerce.number().min(0.25).max(168).default(3),
  DMS_TASK_IDENTIFIER: z
    .string()
    .regex(/^[a-zA-Z][a-zA-Z0-9-]{0,254}$/)
    .optional(),
});

export type PowerSettings = {
  clusterIdentifier: string;
  apiId: string | undefined;
  idleHours: number;
  /** The DMS task reading the cluster: paused before an auto-stop, resumed once the cluster is back. */
  dmsTaskIdentifier: string | undefined;
};

export function loadPowerSettings(env: NodeJS.ProcessEnv): PowerSettings {
  const data = parseEnvironment(envSchema, env, "auto-start/stop");
  return {
    clusterIdentifier: data.DB_CLUSTER_IDENTIFIER,
    apiId: data.PRODUCER_API_ID,
    idleHours: data.AUTO_STOP_IDLE_HOURS,
    dmsTaskIdentifier: data.DMS_TASK_IDENTIFIER,
  };
}
