/**
 * The search bootstrap, a CloudFormation custom resource running as the domain's FGAC master role. On
 * Create and Update it PUTs the index templates, roles and role mappings of plan.ts (each PUT replaces,
 * so a rerun converges); on Delete it leaves the domain as it is (removing a template or a role would
 * break a domain another stack or person still uses). A new domain's endpoint may refuse connections or
 * answer 5xx for a while: those are retried with backoff until the function's deadline. A 4xx is the
 * domain refusing the request and fails at once. It always answers CloudFormation.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "@aws-lambda-powertools/logger";
import { z } from "zod";
import { backoffDelay } from "../../shared/backoff";
import type { Respond } from "../../shared/cfn-response";
import { createSetUpResource } from "../../shared/custom-resource";
import { PipelineError } from "../../shared/errors";
import { DEFAULT_INDEX_SETTINGS } from "../../shared/index-templates";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { type SearchRequest, searchBootstrapRequests } from "./plan";

export type SearchAnswer = { status: number; body: unknown };
/** Sends one request to the domain (SigV4-signed in AWS); rejects only when no answer came. */
export type SendToDomain = (request: SearchRequest) => Promise<SearchAnswer>;

export type SearchBootstrapDeps = {
  send: SendToDomain;
  /** The routing config's YAML (bundled). */
  configYaml: string;
  respond: Respond;
  logger: Pick<Logger, "info" | "warn" | "error">;
  sleep?: (ms: number) => Promise<void>;
  /** Kept back from the function's deadline to answer CloudFormation. */
  marginMs?: number;
};

export class SearchBootstrapError extends PipelineError {
  override name = "SearchBootstrapError";
}

const arnList = z
  .string()
  .default("")
  .transform((s) => s.split(",").filter(Boolean))
  .pipe(z.array(z.string().regex(/^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/, "an IAM role ARN")));

export const searchBootstrapProperties = z.object({
  Stage: z.string().regex(/^[a-z0-9-]{1,20}$/, "a stage name"),
  IndexPrefix: z
    .string()
    .regex(/^[a-z0-9_-]*$/, "a lower-case index prefix")
    .default(""),
  Shards: z.coerce.number().int().min(1).max(64),
  Replicas: z.coerce.number().int().min(0).max(5),
  IndexerRoleArns: arnList.pipe(z.array(z.string()).min(1, "at least the indexer's role")),
  OperatorRoleArns: arnList,
  /** Digest of config/pipeline.yaml: a routing change changes it, so CloudFormation runs an update. */
  PipelineConfigDigest: z.string().optional(),
});

const RETRY = { baseDelayMs: 2_000, maxDelayMs: 30_000 };

/** One request, retried while the domain cannot answer yet (no connection, 5xx, 429). */
async function put(
  deps: SearchBootstrapDeps,
  request: SearchRequest,
  deadline: number,
): Promise<SearchAnswer> {
  const sleep = deps.sleep ?? delay;
  for (let attempt = 0; ; attempt++) {
    let answer: SearchAnswer | undefined;
    let failure: string;
    try {
      answer = await deps.send(request);
      if (answer.status < 300) return answer;
      failure = `${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`;
      if (answer.status < 500 && answer.status !== 429)
        throw new SearchBootstrapError("refused", `${request.method} ${request.path} answered ${failure}`);
    } catch (error) {
      if (error instanceof SearchBootstrapError) throw error;
      failure = (error as Error).message;
    }
    const wait = backoffDelay(attempt, RETRY);
    if (Date.now() + wait > deadline)
      throw new SearchBootstrapError(
        "unavailable",
        `${request.method} ${request.path} did not succeed in time (last: ${failure})`,
      );
    deps.logger.warn("domain not ready, retrying", { path: request.path, failure, attempt });
    await sleep(wait);
  }
}

export function createSearchBootstrapHandler(deps: SearchBootstrapDeps) {
  return createSetUpResource({
    what: "search bootstrap",
    leftOnDelete: "the domain is left as it is",
    schema: searchBootstrapProperties,
    invalid: (message) => new SearchBootstrapError("invalid_properties", message),
    respond: deps.respond,
    logger: deps.logger,
    run: async (props, context) => {
      const config = parsePipelineConfig(deps.configYaml, { indexPrefix: props.IndexPrefix });
      const requests = searchBootstrapRequests({
        config,
        stage: props.Stage,
        index: { ...DEFAULT_INDEX_SETTINGS, shards: props.Shards, replicas: props.Replicas },
        indexerRoleArns: props.IndexerRoleArns,
        operatorRoleArns: props.OperatorRoleArns,
      });
      const deadline = Date.now() + context.getRemainingTimeInMillis() - (deps.marginMs ?? 10_000);
      for (const request of requests) await put(deps, request, deadline);
      const templates = requests
        .filter((r) => r.path.startsWith("/_index_template/"))
        .map((r) => r.path.slice("/_index_template/".length));
      deps.logger.info("search domain bootstrapped", { templates, requests: requests.length });
      return {
        physicalResourceId: `search-bootstrap-${props.Stage}`,
        data: { IndexTemplates: templates.join(",") },
      };
    },
  });
}
