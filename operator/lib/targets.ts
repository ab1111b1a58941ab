/**
 * Where the redrive reads and writes: given explicitly, from a deployed stack's outputs
 * (`--config-env <stage>`: samconfig's stack name and region, then CloudFormation DescribeStacks), or
 * the running local stack (.local/stack.json).
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { parseStreamArn } from "../redrive/messages";
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
  const cloudformation = (sources.cloudformation ?? ((r) => new CloudFormationClient({ region: r })))(region);
  const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
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
