/** Redrive: reading both dead-letter shapes, and finding the queue and stream (CloudFormation mocked). */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { mockClient } from "aws-sdk-client-mock";
import { describe, expect, it } from "vitest";
import { resolveTargets, StackLookupError } from "../../operator/lib/targets";
import { parseStreamArn, planReplay } from "../../operator/redrive/messages";
import { buildDeadLetter, buildOnFailureMessage } from "../../shared/dead-letters";
import { rawRecord } from "../helpers/dms";

const ctx = { functionName: "f", functionVersion: "1", awsRequestId: "r", now: new Date() };
const failure = { stage: "index" as const, type: "mapper_parsing_exception", reason: "x" };

describe("planReplay", () => {
  const record = rawRecord('{"data":{"id":1}}', 3, "public.orders");

  it("replays the data an indexer dead letter carries, and knows where it came from", () => {
    const plan = planReplay(buildDeadLetter(record, failure, ctx, {}, 262_144));
    expect(plan).toMatchObject({
      kind: "records",
      shardId: record.eventID.split(":")[0],
      sequenceNumber: record.kinesis.sequenceNumber,
      reason: "indexer: mapper_parsing_exception",
    });
    if (plan.kind !== "records") return;
    expect(plan.records).toEqual([
      { partitionKey: "public.orders", data: Buffer.from(record.kinesis.data, "base64") },
    ]);
  });

  it("reads a too-large indexer dead letter and an on-failure record as stream ranges", () => {
    expect(planReplay(buildDeadLetter(record, failure, ctx, {}, 300))).toMatchObject({
      kind: "range",
      startSequenceNumber: record.kinesis.sequenceNumber,
      endSequenceNumber: record.kinesis.sequenceNumber,
    });
    const batch = [rawRecord("a", 1), rawRecord("b", 2)];
    const onFailure = buildOnFailureMessage({
      records: batch,
      shardId: "shardId-000000000001",
      streamArn: "arn:aws:kinesis:eu-west-1:123456789012:stream/cdc-stream-dev",
      functionArn: "arn",
      condition: "RecordAgeExceeded",
      invokeCount: 1,
      functionError: false,
      now: new Date(),
    });
    expect(planReplay(JSON.stringify(onFailure))).toMatchObject({
      kind: "range",
      shardId: "shardId-000000000001",
      startSequenceNumber: batch[0]?.kinesis.sequenceNumber,
      endSequenceNumber: batch[1]?.kinesis.sequenceNumber,
      reason: "event source mapping: RecordAgeExceeded",
    });
  });

  it("calls anything else unreadable, and says which field of an indexer dead letter does not read", () => {
    expect(planReplay("{").kind).toBe("unreadable");
    expect(planReplay('{"kind":"cdc-indexer.permanent-failure","schemaVersion":2}')).toMatchObject({
      kind: "unreadable",
      reason:
        "an indexer dead letter with unreadable schemaVersion, failedAt, functionName, functionVersion, awsRequestId, error, source",
    });
    expect(planReplay('{"Records":[]}')).toEqual({
      kind: "unreadable",
      reason: "neither an indexer dead letter nor a KinesisBatchInfo record",
    });
    // An event written by hand with the DMS record as it is (not base64): the indexer dead-letters it
    // with its data as received, which cannot be put back on a stream as it came.
    const handWritten = { ...record, kinesis: { ...record.kinesis, data: '{"data":{"id":1}}' } };
    expect(planReplay(buildDeadLetter(handWritten, failure, ctx, {}, 262_144))).toMatchObject({
      kind: "unreadable",
      reason: expect.stringContaining("an indexer dead letter whose record data is not base64"),
    });
  });
});

describe("resolveTargets", () => {
  const samconfigPath = "samconfig.toml";
  it("reads a stage's stack outputs from CloudFormation", async () => {
    const cloudformation = mockClient(CloudFormationClient);
    cloudformation.on(DescribeStacksCommand, { StackName: "cdc-pipeline-staging" }).resolves({
      Stacks: [
        {
          StackName: "cdc-pipeline-staging",
          CreationTime: new Date(),
          StackStatus: "UPDATE_COMPLETE",
          Outputs: [
            {
              OutputKey: "DeadLetterQueueUrl",
              OutputValue: "https://sqs.eu-west-1.amazonaws.com/123456789012/cdc-indexer-dlq-staging",
            },
            {
              OutputKey: "StreamArn",
              OutputValue: "arn:aws:kinesis:eu-west-1:123456789012:stream/cdc-stream-staging",
            },
          ],
        },
      ],
    });
    const targets = await resolveTargets(
      { configEnv: "staging" },
      { samconfigPath, localStack: () => undefined },
    );
    expect(targets).toEqual({
      queueUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/cdc-indexer-dlq-staging",
      streamName: "cdc-stream-staging",
      region: "eu-west-1",
    });
    cloudformation.restore();
  });

  it("explains a stage it cannot read: no credentials, no such stack, no access (StackLookupError)", async () => {
    const cloudformation = mockClient(CloudFormationClient);
    const failing = (name: string, message: string) =>
      Object.assign(new Error(message), { name, $metadata: {} });
    const lookup = () =>
      resolveTargets({ configEnv: "staging" }, { samconfigPath, localStack: () => undefined });
    cloudformation
      .on(DescribeStacksCommand)
      .rejectsOnce(failing("CredentialsProviderError", "Could not load credentials from any providers"))
      .rejectsOnce(failing("ValidationError", "Stack with id cdc-pipeline-staging does not exist"))
      .rejectsOnce(
        failing("AccessDenied", "User: x is not authorized to perform: cloudformation:DescribeStacks"),
      )
      .resolvesOnce({ Stacks: [] });
    const where = "cannot read stack cdc-pipeline-staging in eu-west-1 (samconfig.toml [staging]): ";
    await expect(lookup()).rejects.toThrow(`${where}no AWS credentials: set AWS_PROFILE`);
    await expect(lookup()).rejects.toThrow(
      `${where}it does not exist (not deployed yet? sam deploy --config-env staging)`,
    );
    await expect(lookup()).rejects.toThrow(
      `${where}access denied: the caller needs cloudformation:DescribeStacks`,
    );
    const empty = await lookup().catch((error: unknown) => error);
    expect(empty).toBeInstanceOf(StackLookupError);
    expect((empty as Error).message).toContain("it does not exist");
    cloudformation.restore();
  });

  it("takes explicit targets, else the running local stack, else explains", async () => {
    expect(
      await resolveTargets(
        { queueUrl: "q", streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/s" },
        { samconfigPath, localStack: () => undefined },
      ),
    ).toEqual({ queueUrl: "q", streamName: "s", region: "us-east-1" });
    const local = {
      pid: 1,
      databaseUrl: "",
      opensearchUrl: "",
      indexPrefix: "",
      streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/cdc-stream-local",
      dlqUrl: "http://sqs/dlq",
      sqsEndpoint: "http://127.0.0.1:1",
      kinesisEndpoint: "http://127.0.0.1:2",
    };
    expect(await resolveTargets({}, { samconfigPath, localStack: () => local })).toMatchObject({
      queueUrl: "http://sqs/dlq",
      streamName: "cdc-stream-local",
      sqsEndpoint: "http://127.0.0.1:1",
    });
    await expect(resolveTargets({}, { samconfigPath, localStack: () => undefined })).rejects.toThrow(
      /--config-env/,
    );
    expect(() => parseStreamArn("arn:aws:sqs:x")).toThrow(/not a Kinesis stream ARN/);
  });
});

describe("dead-letter contracts (shared/dead-letters.ts)", () => {
  it("every message a builder writes is valid under its own schema", async () => {
    const { buildDeadLetter, buildOnFailureMessage, onFailureSchema, permanentFailureSchema } = await import(
      "../../shared/dead-letters"
    );
    const record = rawRecord('{"data":{"id":1}}', 3, "public.orders");
    for (const maxBytes of [262_144, 300]) {
      const body = JSON.parse(buildDeadLetter(record, failure, ctx, { table: "public.orders" }, maxBytes));
      expect(permanentFailureSchema.safeParse(body).success).toBe(true);
    }
    const onFailure = buildOnFailureMessage({
      records: [record],
      shardId: "shardId-000000000001",
      streamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/s",
      functionArn: "arn:aws:lambda:us-east-1:123456789012:function:f",
      condition: "RecordAgeExceeded",
      invokeCount: 2,
      functionError: false,
      now: new Date(),
    });
    expect(onFailureSchema.parse(JSON.parse(JSON.stringify(onFailure)))).toEqual(onFailure);
  });
});
