/**
 * `npm run redrive -- [--config-env <stage> | --queue-url <url> --stream-arn <arn>] [--dry-run] [--max N]`
 *
 * Replays the indexer's dead letters: puts each message's records back on the CDC stream and deletes the
 * message once Kinesis has them (tools/redrive/redrive.ts). Without a target it uses the running local
 * stack. Prints a summary; exits 1 if any message had to stay in the queue.
 */
import "./lib/text-import-hook";
import { join } from "node:path";
import { parseArgs as nodeParseArgs } from "node:util";
import { SQSClient } from "@aws-sdk/client-sqs";
import { projectRoot } from "./lib/sam-function";
import { LOCAL_CREDENTIALS } from "./local-stack/credentials";
import { createKinesisClient } from "./local-stack/kinesis";
import { readStackFile } from "./local-stack/stack-file";
import { redrive } from "./redrive/redrive";
import { resolveTargets, type TargetOptions } from "./redrive/targets";

const USAGE =
  "usage: npm run redrive -- [--config-env <stage> | --queue-url <url> --stream-arn <arn>] [--region <r>] [--dry-run] [--max <n>]";

function parseArgs(argv: string[]): TargetOptions & { dryRun: boolean; max?: number } {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    throw new Error(`${(error as Error).message}\n${USAGE}`);
  }
  const {
    "dry-run": dryRun,
    "config-env": configEnv,
    "queue-url": queueUrl,
    "stream-arn": streamArn,
    region,
    max,
  } = parsed.values;
  const limit = max === undefined ? undefined : Number(max);
  if (limit !== undefined && (!Number.isInteger(limit) || limit < 1))
    throw new Error(`--max must be a positive integer\n${USAGE}`);
  return {
    dryRun: dryRun ?? false,
    ...(configEnv && { configEnv }),
    ...(queueUrl && { queueUrl }),
    ...(streamArn && { streamArn }),
    ...(region && { region }),
    ...(limit !== undefined && { max: limit }),
  };
}

const parse = (args: string[]) =>
  nodeParseArgs({
    args,
    strict: true,
    options: {
      "dry-run": { type: "boolean" },
      "config-env": { type: "string" },
      "queue-url": { type: "string" },
      "stream-arn": { type: "string" },
      region: { type: "string" },
      max: { type: "string" },
    },
  });

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  const targets = await resolveTargets(args, {
    samconfigPath: join(projectRoot(), "samconfig.toml"),
    localStack: () => readStackFile(),
  });
  const sqs = new SQSClient({
    region: targets.region,
    ...(targets.sqsEndpoint && { endpoint: targets.sqsEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const kinesis = createKinesisClient(targets.region, targets.kinesisEndpoint);
  console.error(`${args.dryRun ? "dry run: " : ""}${targets.queueUrl} -> stream ${targets.streamName}`);
  const report = await redrive({
    sqs,
    kinesis,
    queueUrl: targets.queueUrl,
    streamName: targets.streamName,
    dryRun: args.dryRun,
    ...(args.max !== undefined && { max: args.max }),
    log: (line) => console.error(line),
  });
  const verb = args.dryRun ? "would replay" : "replayed";
  console.log(
    `${report.examined} message(s) examined; ${verb} ${args.dryRun ? report.examined - report.kept.length : report.replayed} (${report.records} record(s)); ${report.kept.length} kept`,
  );
  for (const [cause, count] of Object.entries(report.causes)) console.log(`  ${count} × ${cause}`);
  if (report.failedAgain > 0)
    console.log(
      `  ${report.failedAgain} replayed record(s) failed again: left in the queue for the next run`,
    );
  sqs.destroy();
  kinesis.destroy();
  return report.kept.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(2);
  },
);
