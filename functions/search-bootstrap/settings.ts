/** The search bootstrap's environment, validated once at cold start. */
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";
import type { OpenSearchSettings } from "../../shared/opensearch-client";

const envSchema = z.object({
  OPENSEARCH_ENDPOINT: z.url({ protocol: /^https?$/ }),
  OPENSEARCH_AUTH: z.enum(["iam", "none"]).default("iam"),
  AWS_REGION: z.string().min(1),
});

export function loadSearchBootstrapSettings(env: NodeJS.ProcessEnv): OpenSearchSettings {
  const data = parseEnvironment(envSchema, env, "search bootstrap");
  return { endpoint: data.OPENSEARCH_ENDPOINT, auth: data.OPENSEARCH_AUTH, region: data.AWS_REGION };
}
