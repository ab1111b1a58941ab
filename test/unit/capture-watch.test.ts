/**
 * The capture watch: the DMS task's state read against mocked DMS (aws-sdk-client-mock; no local DMS
 * exists), and the handler as deployed, whose EMF document is what the CaptureDown alarm reads.
 */
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
} from "@aws-sdk/client-database-migration-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { assessCapture } from "../../functions/capture-watch/assess";
import { watchCapture } from "../../functions/capture-watch/watch";
import { PAUSED_TAG } from "../../shared/dms-task";
import { testContext } from "../helpers/lambda";
import { capturePrinted } from "../helpers/printed";

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: "eu-west-1" });
const ARN = "arn:aws:dms:eu-west-1:123456789012:task:XYZ";
const task = (Status: string, extra: Record<string, string> = {}) =>
  dms.on(DescribeReplicationTasksCommand).resolves({
    ReplicationTasks: [{ ReplicationTaskArn: ARN, Status, ...extra }],
  });
beforeEach(() => dms.reset());

describe("assessCapture", () => {
  const t = (status: string, failure?: string) => ({ arn: ARN, status, ...(failure && { failure }) });
  it.each([
    [t("running"), undefined, "running"],
    [t("starting"), undefined, "changing"],
    [t("modifying"), undefined, "changing"],
    [t("stopping"), undefined, "changing"],
    [t("stopped"), "auto-stop", "paused"],
    [t("failed"), "auto-stop", "paused"],
    [t("stopped"), undefined, "down"],
    [t("failed", "Last Error: connection refused"), undefined, "down"],
    [t("ready"), undefined, "down"],
    [t("running"), "auto-stop", "running"],
    [undefined, undefined, "down"],
  ] as const)("%j paused by %s is %s", (given, pausedBy, state) => {
    expect(assessCapture("cdc-dev", given, pausedBy).state).toBe(state);
  });

  it("says why the capture is down", () => {
    expect(assessCapture("cdc-dev", t("failed", "Last Error: slot gone"), undefined).reason).toBe(
      "the task is failed: Last Error: slot gone",
    );
    expect(assessCapture("cdc-dev", undefined, undefined).reason).toBe(
      "there is no replication task cdc-dev",
    );
    expect(assessCapture("cdc-dev", t("ready"), undefined).reason).toBe(
      "the task was created and never started",
    );
  });
});

describe("watchCapture", () => {
  it("reads who paused a stopped task, and does not ask for a running one", async () => {
    task("stopped");
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: PAUSED_TAG, Value: "auto-stop" }] });
    expect((await watchCapture(client, "cdc-dev")).state).toBe("paused");
    dms
      .on(ListTagsForResourceCommand)
      .resolves({ TagList: [{ Key: "cdc:stack", Value: "cdc-pipeline-dev" }] });
    expect(await watchCapture(client, "cdc-dev")).toMatchObject({ state: "down", status: "stopped" });
    dms.reset();
    task("running");
    expect((await watchCapture(client, "cdc-dev")).state).toBe("running");
    expect(dms.commandCalls(ListTagsForResourceCommand)).toHaveLength(0);
    expect(dms.commandCalls(DescribeReplicationTasksCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: "replication-task-id", Values: ["cdc-dev"] },
    ]);
  });
});

describe("the capture watch handler", () => {
  const printed = capturePrinted();
  beforeEach(() => {
    vi.stubEnv("POWERTOOLS_DEV", "");
    vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "false");
    vi.stubEnv("POWERTOOLS_METRICS_NAMESPACE", "CdcPipeline");
    vi.stubEnv("STAGE", "dev");
    vi.stubEnv("DMS_TASK_IDENTIFIER", "cdc-dev");
    vi.stubEnv("AWS_REGION", "eu-west-1");
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });
  const lines = printed.jsonLines;

  it("reports CaptureDown 1 with the alarm's dimensions and warns with the task's last failure", async () => {
    task("failed", { LastFailureMessage: "Last Error: replication slot is gone" });
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [] });
    const { handler } = await import("../../functions/capture-watch/index");
    await handler({ source: "aws.events", "detail-type": "Scheduled Event" } as never, testContext());
    const emf = lines().find((l) => "_aws" in l) as Record<string, unknown> & {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
    };
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "CdcPipeline",
      Dimensions: [["service", "stage"]],
    });
    expect([emf.service, emf.stage, emf.CaptureDown]).toEqual(["capture-watch", "dev", 1]);
    const warning = lines().find((l) => l.message === "capture is down");
    expect(warning).toMatchObject({
      level: "WARN",
      task: "cdc-dev",
      status: "failed",
      reason: "the task is failed: Last Error: replication slot is gone",
    });

    printed.clear();
    dms.reset();
    task("running");
    await handler({} as never, testContext());
    expect((lines().find((l) => "_aws" in l) as { CaptureDown: number }).CaptureDown).toBe(0);
  });
});
