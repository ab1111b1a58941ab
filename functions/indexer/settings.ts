/** Indexer settings from the environment, validated once at cold start. */
import { z } from "zod";
import { parseEnvironment } from "../../shared/environment";

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

const envSchema = z.object({
  OPENSEARCH_ENDPOINT: z.url({ protocol: /^https?$/ }),
  OPENSEARCH_AUTH: z.enum(["iam", "none"]).default("iam"),
  AWS_REGION: z.string().min(1).default("us-east-1"),
  DLQ_URL: z.url(),
  INDEX_PREFIX: z
    .string()
    .regex(/^[a-z0-9_.-]*$/, "lower case letters, digits, - _ .")
    .default(""),
  PIPELINE_CONFIG: z.string().optional(),
  // 5 MB keeps requests well under the 10 MiB limit of small OpenSearch Service instances.
  BULK_MAX_BYTES: int(5_000_000, 1_000, 100 * 1024 * 1024),
  BULK_MAX_ACTIONS: int(1_000, 1, 100_000),
  RETRY_BASE_DELAY_MS: int(100, 1, 60_000),
  RETRY_MAX_DELAY_MS: int(5_000, 1, 300_000),
  SAFETY_MARGIN_MS: int(5_000, 0, 600_000),
  DLQ_MAX_MESSAGE_BYTES: int(262_144, 1_024, 1_048_576),
});

export type IndexerSettings = {
  openSearch: { endpoint: string; auth: "iam" | "none"; region: string };
  dlqUrl: string;
  dlqMaxMessageBytes: number;
  indexPrefix: string;
  pipelineConfigPath: string | undefined;
  retry: {
    maxBytes: number;
    maxActions: number;
    baseDelayMs: number;
    maxDelayMs: number;
    safetyMarginMs: number;
  };
};

export function loadIndexerSettings(env: NodeJS.ProcessEnv): IndexerSettings {
  const e = parseEnvironment(envSchema, env, "indexer");
  return {
    openSearch: { endpoint: e.OPENSEARCH_ENDPOINT, auth: e.OPENSEARCH_AUTH, region: e.AWS_REGION },
    dlqUrl: e.DLQ_URL,
    dlqMaxMessageBytes: e.DLQ_MAX_MESSAGE_BYTES,
    indexPrefix: e.INDEX_PREFIX,
    pipelineConfigPath: e.PIPELINE_CONFIG,
    retry: {
      maxBytes: e.BULK_MAX_BYTES,
      maxActions: e.BULK_MAX_ACTIONS,
      baseDelayMs: e.RETRY_BASE_DELAY_MS,
      maxDelayMs: e.RETRY_MAX_DELAY_MS,
      safetyMarginMs: e.SAFETY_MARGIN_MS,
    },
  };
}
