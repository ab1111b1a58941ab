/** The DMS task around an auto-stopped cluster (capture-link.ts), against mocked DMS. */
import {
  AddTagsToResourceCommand,
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
  RemoveTagsFromResourceCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { pauseCapture, resumeCapture } from "../../functions/aurora-power/capture-link";
import { PAUSED_TAG } from "../../shared/dms-task";

const dms = mockClient(DatabaseMigrationServiceClient);
const client = new DatabaseMigrationServiceClient({ region: "eu-west-1" });
const ARN = "arn:aws:dms:eu-west-1:123456789012:task:XYZ";
function statuses(...list: string[]) {
  let i = 0;
  dms.on(DescribeReplicationTasksCommand).callsFake(() => ({
    ReplicationTasks: [{ ReplicationTaskArn: ARN, Status: list[Math.min(i++, list.length - 1)] }],
  }));
}
const quick = { deadline: Date.now() + 60_000, pollMs: 1, sleep: async () => {} };
beforeEach(() => dms.reset());

describe("pauseCapture", () => {
  it("tags the running task as paused by auto-stop, stops it and waits until it has stopped", async () => {
    statuses("running", "stopping", "stopped");
    expect(await pauseCapture(client, "cdc-dev", quick)).toBe("paused");
    expect(dms.commandCalls(AddTagsToResourceCommand)[0]?.args[0].input.Tags).toEqual([
      { Key: PAUSED_TAG, Value: "auto-stop" },
    ]);
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(1);
  });

  it("leaves a task that is not running alone, and tells when there is none", async () => {
    statuses("stopped");
    expect(await pauseCapture(client, "cdc-dev", quick)).toBe("not-running");
    dms.reset();
    dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [] });
    expect(await pauseCapture(client, "cdc-dev", quick)).toBe("absent");
    expect(dms.commandCalls(StopReplicationTaskCommand)).toHaveLength(0);
  });

  it("fails (so the cluster is not stopped under it) when the task does not stop in time", async () => {
    statuses("running", "stopping");
    await expect(pauseCapture(client, "cdc-dev", { ...quick, deadline: Date.now() - 1 })).rejects.toThrow(
      /still stopping: the cluster is left running/,
    );
  });
});

describe("resumeCapture", () => {
  it("resumes a task it paused, from its checkpoint, and removes the tag", async () => {
    statuses("stopped");
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: PAUSED_TAG, Value: "auto-stop" }] });
    expect(await resumeCapture(client, "cdc-dev")).toBe("resumed");
    expect(dms.commandCalls(StartReplicationTaskCommand)[0]?.args[0].input.StartReplicationTaskType).toBe(
      "resume-processing",
    );
    expect(dms.commandCalls(RemoveTagsFromResourceCommand)[0]?.args[0].input.TagKeys).toEqual([PAUSED_TAG]);
  });

  it("never resumes a task someone else stopped (a deployment, an operator)", async () => {
    statuses("stopped");
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: "cdc:stack", Value: "cdc-dev" }] });
    expect(await resumeCapture(client, "cdc-dev")).toBe("not-paused");
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });

  it("waits for a paused task that is still stopping", async () => {
    statuses("stopping");
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: PAUSED_TAG, Value: "auto-stop" }] });
    expect(await resumeCapture(client, "cdc-dev")).toBe("not-stopped-yet");
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(0);
  });
});
