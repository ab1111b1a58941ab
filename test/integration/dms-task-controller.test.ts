/**
 * The DMS task controller as CloudFormation drives it: DMS mocked (aws-sdk-client-mock, no local DMS
 * exists), the answer PUT to a real local ResponseURL. Every path answers CloudFormation.
 */
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createDmsTaskHandler } from "../../functions/dms-task/app";
import { sendCfnResponse } from "../../shared/cfn-response";
import { type ResponseServer, startResponseServer } from "../helpers/cfn";
import { recordingLogger, testContext } from "../helpers/lambda";

const dms = mockClient(DatabaseMigrationServiceClient);
let responses: ResponseServer;
let answers: Record<string, unknown>[];
let responseUrl: string;

beforeAll(async () => {
  responses = await startResponseServer();
  answers = responses.answers;
  responseUrl = responses.url;
});
afterAll(() => responses.close());
beforeEach(() => {
  dms.reset();
  answers.length = 0;
  responses.refuse = false;
});

const ARN = "arn:aws:dms:eu-west-1:123456789012:task:ABCDEF";
const event = (
  RequestType: "Create" | "Update" | "Delete",
  props: Record<string, unknown> = { Action: "start", TaskIdentifier: "cdc-dev" },
  old: Record<string, unknown> = {},
): CloudFormationCustomResourceEvent =>
  ({
    RequestType,
    ServiceToken: "arn:aws:lambda:eu-west-1:123456789012:function:cdc-dms-task-dev",
    ResponseURL: responseUrl,
    StackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/cdc-dev/1",
    RequestId: "req-1",
    LogicalResourceId: "DmsTaskStart",
    ResourceType: "Custom::DmsTask",
    ResourceProperties: { ServiceToken: "x", ...props },
    ...(RequestType !== "Create" && {
      PhysicalResourceId: "cdc-dev/start",
      OldResourceProperties: { ServiceToken: "x", ...old },
    }),
  }) as CloudFormationCustomResourceEvent;

/** DescribeReplicationTasks answers these statuses in turn (the last one repeats). */
const statuses = (...list: (string | undefined)[]) => statusesFailing(undefined, ...list);

/** The same, the task reporting `failure` as its last failure message. */
function statusesFailing(failure: string | undefined, ...list: (string | undefined)[]) {
  let i = 0;
  dms.on(DescribeReplicationTasksCommand).callsFake(() => {
    const status = list[Math.min(i++, list.length - 1)];
    return {
      ReplicationTasks: status
        ? [{ ReplicationTaskArn: ARN, Status: status, ...(failure && { LastFailureMessage: failure }) }]
        : [],
    };
  });
}

/** The controller on one request, without real waiting; the stack as DescribeStacks reports it. */
const run = (
  type: "Create" | "Update" | "Delete",
  options: {
    remainingMs?: number;
    props?: Record<string, unknown>;
    old?: Record<string, unknown>;
    stackStatus?: () => Promise<string | undefined>;
    logger?: ReturnType<typeof recordingLogger>;
  } = {},
) =>
  createDmsTaskHandler({
    dms: new DatabaseMigrationServiceClient({ region: "eu-west-1" }),
    respond: sendCfnResponse,
    logger: options.logger ?? recordingLogger(),
    stackStatus: options.stackStatus ?? (async () => "UPDATE_IN_PROGRESS"),
    sleep: async () => {},
    pollMs: 10,
    marginMs: 0,
  })(event(type, options.props, options.old), testContext(options.remainingMs ?? 60_000));
const handler = (overrides: { remainingMs?: number } = {}) => run("Create", overrides);

describe("DMS task controller", () => {
  it("starts a new task and answers SUCCESS once it runs", async () => {
    statuses("creating", "ready", "starting", "running");
    await handler();
    expect(dms.commandCalls(StartReplicationTaskCommand).map((c) => c.args[0].input)).toEqual([
      { ReplicationTaskArn: ARN, StartReplicationTaskType: "start-replication" },
    ]);
    expect(answers).toEqual([
      expect.objectContaining({
        method: "PUT",
        Status: "SUCCESS",
        PhysicalResourceId: "cdc-dev/start",
        RequestId: "req-1",
      }),
    ]);
  });

  it("resumes a stopped task on update, and stops a running one before deletion", async () => {
    statuses("stopped", "starting", "running");
    await run("Update");
    expect(dms.commandCalls(StartReplicationTaskCommand)[0]?.args[0].input.StartReplicationTaskType).toBe(
      "resume-processing",
    );
    dms.reset();
    statuses("running", "stopping", "stopped");
    await run("Delete");
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(1);
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("stops the task for an update that changes it, and leaves it running for one that only sets ServiceTimeout", async () => {
    const stopper = { Action: "stop-for-change", TaskIdentifier: "cdc-dev", TableMappings: '{"rules":[1]}' };
    statuses("running", "stopping", "stopped");
    await run("Update", { props: { ...stopper, ServiceTimeout: "960" }, old: stopper });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
    await run("Update", {
      props: { ...stopper, ServiceTimeout: "960" },
      old: { ...stopper, ServiceTimeout: "600", TableMappings: '{"rules":[]}' },
    });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(1);
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("in an update's rollback, start stops the task (before it is modified back) and stop-for-change resumes it", async () => {
    const settings = (rules: string) => ({ TaskIdentifier: "cdc-dev", TableMappings: rules });
    const rollback = async () => "UPDATE_ROLLBACK_IN_PROGRESS";
    // Rolled back in reverse order: start first, with the old settings back in its properties.
    statuses("running", "stopping", "stopped");
    await run("Update", {
      props: { Action: "start", ...settings('{"rules":[1]}') },
      old: { Action: "start", ...settings('{"rules":[2]}') },
      stackStatus: rollback,
    });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(1);
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
    // Then the task is modified back (CloudFormation), then stop-for-change: the task runs again.
    dms.reset();
    statuses("stopped", "starting", "running");
    await run("Update", {
      props: { Action: "stop-for-change", ...settings('{"rules":[1]}') },
      old: { Action: "stop-for-change", ...settings('{"rules":[2]}') },
      stackStatus: rollback,
    });
    expect(dms.commandCalls(StartReplicationTaskCommand).map((c) => c.args[0].input)).toEqual([
      { ReplicationTaskArn: ARN, StartReplicationTaskType: "resume-processing" },
    ]);
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("lets a rollback complete when the task does not resume (left stopped, said in the log), and leaves a rollback that does not change the task alone", async () => {
    const stopper = { Action: "stop-for-change", TaskIdentifier: "cdc-dev", TableMappings: '{"rules":[1]}' };
    const logger = recordingLogger();
    statusesFailing("source down", "stopped", "failed");
    await run("Update", {
      props: stopper,
      old: { ...stopper, TableMappings: '{"rules":[]}' },
      stackStatus: async () => "UPDATE_ROLLBACK_IN_PROGRESS",
      logger,
    });
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS"]);
    expect(logger.lines.map((l) => `${l.level} ${l.message}`)).toContain(
      "error replication task not resumed after the rollback: resume it by hand",
    );
    dms.reset();
    statuses("running");
    await run("Update", {
      props: { Action: "start", TaskIdentifier: "cdc-dev", ServiceTimeout: "960" },
      old: { Action: "start", TaskIdentifier: "cdc-dev", ServiceTimeout: "600" },
      stackStatus: async () => "UPDATE_ROLLBACK_IN_PROGRESS",
    });
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS", "SUCCESS"]);
  });

  it("takes an update as a forward one when the stack's status cannot be read (and says so)", async () => {
    const logger = recordingLogger();
    statuses("stopped", "starting", "running");
    await run("Update", {
      stackStatus: async () => {
        throw new Error("AccessDenied: cloudformation:DescribeStacks");
      },
      logger,
    });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(1);
    expect(logger.lines.map((l) => l.level)).toContain("warn");
    expect(answers.map((a) => a.Status)).toEqual(["SUCCESS"]);
  });

  it("answers FAILED with the reason when the task fails after its start", async () => {
    statusesFailing("cannot connect to the source", "ready", "failed");
    await handler();
    expect(answers).toEqual([
      expect.objectContaining({
        Status: "FAILED",
        Reason: expect.stringContaining("cannot connect to the source"),
      }),
    ]);
  });

  it("answers FAILED before its time runs out when the task never settles", async () => {
    statuses("modifying");
    await handler({ remainingMs: 200 });
    expect(answers).toEqual([
      expect.objectContaining({
        Status: "FAILED",
        Reason: expect.stringContaining("did not settle in time"),
      }),
    ]);
  });

  it("answers FAILED when DMS refuses, and on invalid properties", async () => {
    dms.on(DescribeReplicationTasksCommand).rejects(new Error("AccessDeniedException: not authorized"));
    await handler();
    await run("Create", { props: { Action: "explode", TaskIdentifier: "cdc-dev" } });
    expect(answers.map((a) => [a.Status, String(a.Reason).slice(0, 40)])).toEqual([
      ["FAILED", "Error: AccessDeniedException: not author"],
      ["FAILED", expect.stringContaining("TaskControlError: Action")],
    ]);
    expect(answers[1]?.PhysicalResourceId).toBe("DmsTaskStart");
  });

  it("rejects (so Lambda retries) when even the ResponseURL refuses the answer", async () => {
    statuses("running");
    responses.refuse = true;
    await expect(handler()).rejects.toThrow(/ResponseURL answered 500/);
  });
});
