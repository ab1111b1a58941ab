/**
 * The DMS task around an auto-stopped cluster. Before the cluster stops, the task is stopped (its source
 * is about to disappear) and tagged `cdc:paused-by=auto-stop`. Once the cluster is available again, the
 * auto-stop function's next scheduled run (every 15 minutes) resumes a task carrying that tag from its
 * checkpoint and removes the tag. RDS's own cluster events reach EventBridge only "best effort", so the
 * schedule is the mechanism that cannot be missed; a task stopped by anyone else is never resumed here.
 */
import {
  AddTagsToResourceCommand,
  RemoveTagsFromResourceCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import {
  type DmsClient,
  describeTask,
  hasStopped,
  PAUSED_TAG,
  taskPausedBy,
  type WaitOptions,
  waitForTask,
} from "../../shared/dms-task";

import { PipelineError } from "../../shared/errors";

export class CapturePauseError extends PipelineError {
  override name = "CapturePauseError";
}

/** Stops a running task and waits until it has stopped; the tag says who stopped it. */
export async function pauseCapture(
  dms: DmsClient,
  identifier: string,
  wait: WaitOptions,
): Promise<"paused" | "not-running" | "absent"> {
  const task = await describeTask(dms, identifier);
  if (!task) return "absent";
  if (task.status !== "running" && task.status !== "starting") return "not-running";
  await dms.send(
    new AddTagsToResourceCommand({ ResourceArn: task.arn, Tags: [{ Key: PAUSED_TAG, Value: "auto-stop" }] }),
  );
  await dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: task.arn }));
  const stopped = await waitForTask(dms, identifier, hasStopped, wait);
  if (!stopped) {
    const now = await describeTask(dms, identifier);
    throw new CapturePauseError(
      "task_not_stopped",
      `task ${identifier} is still ${now?.status}: the cluster is left running`,
    );
  }
  return "paused";
}

/** Resumes a task this module paused, once it is stopped. */
export async function resumeCapture(
  dms: DmsClient,
  identifier: string,
): Promise<"resumed" | "not-paused" | "absent" | "not-stopped-yet"> {
  const task = await describeTask(dms, identifier);
  if (!task) return "absent";
  if ((await taskPausedBy(dms, task.arn)) === undefined) return "not-paused";
  if (!hasStopped(task.status)) return "not-stopped-yet";
  await dms.send(
    new StartReplicationTaskCommand({
      ReplicationTaskArn: task.arn,
      StartReplicationTaskType: "resume-processing",
    }),
  );
  await dms.send(new RemoveTagsFromResourceCommand({ ResourceArn: task.arn, TagKeys: [PAUSED_TAG] }));
  return "resumed";
}
