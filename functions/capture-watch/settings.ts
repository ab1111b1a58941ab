/** Capture watch settings from the environment, validated once at cold start. */
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";

const envSchema = z.object({
  DMS_TASK_IDENTIFIER: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,254}$/, "a DMS replication task identifier"),
});

export type WatchSettings = { taskIdentifier: string };

export function loadWatchSettings(env: NodeJS.ProcessEnv): WatchSettings {
  return { taskIdentifier: parseEnvironment(envSchema, env, "capture watch").DMS_TASK_IDENTIFIER };
}
