/**
 * `npm run redrive -- --config-env dev` as an operator runs it against a stage, with moto's AWS APIs
 * standing in for the account (`moto_server`: CloudFormation, SQS and Kinesis): the stage's stack name
 * and region come from samconfig.toml, the queue and the stream from the stack's outputs, credentials
 * and endpoint from the environment, as the AWS SDK reads them. A dry run changes nothing; the replay
 * puts each record back byte for byte with its partition key (one from the dead letter's body, one read
 * back from the stream, the message only pointing at it) and empties the queue.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import type { KinesisStreamRecord } from "aws-lambda";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { putAll } from "../../operator/lib/kinesis-put";
import { queueDepth } from "../../operator/lib/queue-depth";
import { readSamConfig } from "../../operator/lib/samconfig";
import { ensureStream } from "../../tools/local-stack/kinesis";
import { indexerDeadLetter } from "../helpers/dms";
import { MOTO_CREDENTIALS, stageStack, startMoto } from "../helpers/moto";
import { npmRun } from "../helpers/npm-run";
import { lambdaRecords } from "../helpers/stream-records";

const STAGE = "dev";
const stage = readSamConfig("samconfig.toml", STAGE, "deploy");
const region = String(stage.region);
const credentials = MOTO_CREDENTIALS;
let moto: Awaited<ReturnType<typeof startMoto>>;
let kinesis: KinesisClient;
let sqs: SQSClient;
const noStack = mkdtempSync(join(tmpdir(), "cdc-redrive-stage-")); // no local stack.json to find

beforeAll(async () => {
  moto = await startMoto();
  kinesis = createKinesisClient(region, moto.endpoint);
  sqs = new SQSClient({ region, endpoint: moto.endpoint, credentials });
}, 60_000);
afterAll(async () => {
  kinesis?.destroy();
  sqs?.destroy();
  await moto?.stop();
  rmSync(noStack, { recursive: true, force: true });
});

const depth = (queueUrl: string) => queueDepth(sqs, queueUrl);

describe("npm run redrive against a stage", () => {
  it("finds the stage's queue and stream through its stack outputs and replays the dead letters", {
    timeout: 120_000,
  }, async () => {
    // The stage: its stream with two changes, its DLQ, its stack's outputs naming both.
    const stream = `cdc-stream-${STAGE}`;
    const streamArn = await ensureStream(kinesis, stream, 1);
    await putAll(kinesis, stream, [
      {
        partitionKey: "public.orders.1",
        data: '{"data":{"id":1,"note":"é"},"metadata":{"operation":"insert"}}\n',
      },
      { partitionKey: "public.orders.2", data: '{"data":{"id":2},"metadata":{"operation":"update"}}\n' },
    ]);
    const original = await lambdaRecords(kinesis, stream, streamArn);
    expect(original).toHaveLength(2);
    const { QueueUrl: queueUrl } = await sqs.send(
      new CreateQueueCommand({ QueueName: `cdc-indexer-dlq-${STAGE}` }),
    );
    const [withData, pointer] = original as [KinesisStreamRecord, KinesisStreamRecord];
    const bodies = [
      indexerDeadLetter(withData, 262_144, { table: "public.orders" }),
      indexerDeadLetter(pointer, 300, { table: "public.orders" }),
    ];
    expect(JSON.parse(bodies[1] as string).data).toBeUndefined(); // only points at it: read back from the stream
    for (const body of bodies)
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    await stageStack(moto.endpoint, STAGE, { DeadLetterQueueUrl: queueUrl as string, StreamArn: streamArn });

    // The operator's shell: credentials and an endpoint the SDK reads, and a default region other than
    // the stage's (samconfig.toml's wins).
    const env = {
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_REGION: "us-west-2",
      AWS_PROFILE: undefined,
      LOCAL_STACK_DIR: noStack,
    };
    const dry = await npmRun("redrive", ["--config-env", STAGE, "--dry-run"], env, 60_000);
    expect(dry.stderr).toContain(`dry run: ${queueUrl} -> stream ${stream}`);
    expect(dry.stdout).toContain("2 message(s) examined; would replay 2 (2 record(s)); 0 kept");
    expect(dry.code).toBe(0);
    expect(await depth(queueUrl as string)).toBe(2);
    expect(await lambdaRecords(kinesis, stream, streamArn)).toHaveLength(2);

    const run = await npmRun("redrive", ["--config-env", STAGE, "--wait", "1"], env, 60_000);
    expect(run.stdout).toContain("2 message(s) examined; replayed 2 (2 record(s)); 0 kept");
    expect(run.code).toBe(0);
    expect(await depth(queueUrl as string)).toBe(0);
    const after = await lambdaRecords(kinesis, stream, streamArn);
    const bytes = (r: KinesisStreamRecord) => `${r.kinesis.partitionKey}|${r.kinesis.data}`;
    expect(after.slice(2).map(bytes).sort()).toEqual(original.map(bytes).sort());
  });

  it("stops on Ctrl-C with what it holds back in the queue at once, and names the messages another reader holds", {
    timeout: 120_000,
  }, async () => {
    const stream = "cdc-stream-ctrl-c";
    const streamArn = await ensureStream(kinesis, stream, 1);
    await putAll(kinesis, stream, [{ partitionKey: "public.orders.1", data: '{"data":{"id":1}}\n' }]);
    const [record] = (await lambdaRecords(kinesis, stream, streamArn)) as [KinesisStreamRecord];
    const { QueueUrl: queueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "dlq-ctrl-c" }));
    for (const body of [indexerDeadLetter(record, 262_144), "not a dead letter"])
      await sqs.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
    const args = ["--queue-url", queueUrl as string, "--stream-arn", streamArn, "--region", region];
    const env = {
      ...process.env,
      AWS_ENDPOINT_URL: moto.endpoint,
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      LOCAL_STACK_DIR: noStack,
    };

    // A terminal's Ctrl-C reaches the whole foreground job (npm and the command) while the run watches
    // the queue: the unreadable message it kept is handed back now, not 2 minutes later.
    const child = spawn("npm", ["run", "-s", "redrive", "--", ...args, "--wait", "60"], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout?.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr?.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    // npm ends on the Ctrl-C itself, as in a terminal; the command is done when it closes its output.
    const done = new Promise((resolve) => child.stdout?.on("close", resolve));
    for (const deadline = Date.now() + 60_000; !stderr.includes("replayed "); await sleep(100))
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no replay:\n${stderr}`);
    await sleep(500); // into the watch
    process.kill(-(child.pid as number), "SIGINT");
    // npm relays the Ctrl-C too: the command may see it twice, a moment apart; that is one Ctrl-C.
    await sleep(100);
    process.kill(-(child.pid as number), "SIGINT");
    expect(await Promise.race([done.then(() => "done"), sleep(15_000).then(() => "still running")])).toBe(
      "done",
    );
    expect(stderr).toContain("SIGINT: stopping; the messages this run holds go back to the queue");
    expect(stdout).toContain("2 message(s) examined; replayed 1 (1 record(s)); 1 kept");
    expect(stdout).toContain("stopped before the end");
    const { Messages: back = [] } = await sqs.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, VisibilityTimeout: 300, WaitTimeSeconds: 1 }),
    );
    expect(back.map((m) => m.Body)).toEqual(["not a dead letter"]);

    // That message is now held as by a run killed with kill -9: the next run cannot see it, and says so.
    const next = await npmRun("redrive", [...args, "--wait", "0"], env, 60_000);
    expect(next.stdout).toContain("0 message(s) examined");
    expect(next.stdout).toContain("1 message(s) were held by another reader when this run began");
    expect(next.code).toBe(1);
  });
});
