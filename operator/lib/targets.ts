/**
 * Where the operator commands (redrive, verify, reload) find a stage: given explicitly, from a deployed
 * stack's outputs (`--config-env <stage>`: samconfig's stack name and region, then CloudFormation
 * DescribeStacks; a stack that cannot be read is a StackLookupError saying why), or the running local
 * stack (.local/stack.json).
 */
import {
  CloudFormationClient,
  DescribeStacksCommand,
  type DescribeStacksCommandOutput,
} from "@aws-sdk/client-cloudformation";
import { parseStreamArn } from "../redrive/messages";
import { idleLimitedHandler } from "./aws-http";
import type { StackEndpoints } from "./local-stack-file";
import { readSamConfig } from "./samconfig";

export type RedriveTargets = {
  queueUrl: string;
  streamName: string;
  region: string;
  /** Local emulators (the local stack); absent for AWS. */
  sqsEndpoint?: string;
  kinesisEndpoint?: string;
};

export type TargetOptions = { queueUrl?: string; streamArn?: string; configEnv?: string; region?: string };

export type StackSources = {
  samconfigPath: string;
  cloudformation?: (region: string) => Pick<CloudFormationClient, "send">;
};

/** A stage's stack could not be read (no credentials, no such stack, no access): a setup problem, exit 2. */
export class StackLookupError extends Error {
  override name = "StackLookupError";
}

const notDeployed = (configEnv: string) =>
  `it does not exist (not deployed yet? sam deploy --config-env ${configEnv})`;

/** What to do about a failed DescribeStacks, in the operator's words. */
function lookupHint(error: Error, configEnv: string): string {
  if (error.name === "CredentialsProviderError")
    return "no AWS credentials: set AWS_PROFILE (or run `aws sso login`) and try again";
  if (error.name === "ValidationError" && /does not exist/.test(error.message)) return notDeployed(configEnv);
  if (error.name === "AccessDenied" || error.name === "AccessDeniedException")
    return `access denied: the caller needs cloudformation:DescribeStacks (${error.message})`;
  return `${error.name}: ${error.message}`;
}

/** A deployed stage's stack name, region and outputs (samconfig's stack name and region, then DescribeStacks). */
export async function readStackOutputs(
  configEnv: string,
  sources: StackSources,
  regionOverride?: string,
): Promise<{ stackName: string; region: string; outputs: Record<string, string> }> {
  const config = readSamConfig(sources.samconfigPath, configEnv, "deploy");
  const stackName = String(config.stack_name ?? "");
  const region = regionOverride ?? String(config.region ?? process.env.AWS_REGION ?? "");
  if (!stackName || !region) throw new Error(`samconfig.toml [${configEnv}] needs stack_name and region`);
  const cloudformation = (
    sources.cloudformation ??
    ((r) => new CloudFormationClient({ region: r, requestHandler: idleLimitedHandler() }))
  )(region);
  const where = `stack ${stackName} in ${region} (samconfig.toml [${configEnv}])`;
  let Stacks: DescribeStacksCommandOutput["Stacks"];
  try {
    ({ Stacks } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName })));
  } catch (error) {
    throw new StackLookupError(`cannot read ${where}: ${lookupHint(error as Error, configEnv)}`, {
      cause: error,
    });
  }
  if (!Stacks?.length) throw new StackLookupError(`cannot read ${where}: ${notDeployed(configEnv)}`);
  const outputs: Record<string, string> = {};
  for (const o of Stacks[0]?.Outputs ?? [])
    if (o.OutputKey && o.OutputValue) outputs[o.OutputKey] = o.OutputValue;
  return { stackName, region, outputs };
}

export async function resolveTargets(
  options: TargetOptions,
  sources: {
    samconfigPath: string;
    localStack: () => StackEndpoints | undefined;
    cloudformation?: (region: string) => Pick<CloudFormationClient, "send">;
  },
): Promise<RedriveTargets> {
  if (options.queueUrl && options.streamArn) {
    const stream = parseStreamArn(options.streamArn);
    return { queueUrl: options.queueUrl, streamName: stream.name, region: options.region ?? stream.region };
  }
  if (options.configEnv) {
    const { stackName, region, outputs } = await readStackOutputs(options.configEnv, sources, options.region);
    const queueUrl = outputs.DeadLetterQueueUrl;
    const streamArn = outputs.StreamArn;
    if (!queueUrl || !streamArn)
      throw new Error(`stack ${stackName} has no DeadLetterQueueUrl/StreamArn outputs`);
    return { queueUrl, streamName: parseStreamArn(streamArn).name, region };
  }
  const local = sources.localStack();
  if (local) {
    const stream = parseStreamArn(local.streamArn);
    return {
      queueUrl: local.dlqUrl,
      streamName: stream.name,
      region: stream.region,
      ...(local.sqsEndpoint && { sqsEndpoint: local.sqsEndpoint }),
      ...(local.kinesisEndpoint && { kinesisEndpoint: local.kinesisEndpoint }),
    };
  }
  throw new Error(
    "say where: --config-env <stage>, or --queue-url and --stream-arn, or run `npm start` first",
  );
}
