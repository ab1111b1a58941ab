/** Reading the pipeline's DMS replication task, for the functions that drive it. */
import { setTimeout as delay } from "node:timers/promises";
import {
  type DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
  ResourceNotFoundFault,
} from "@aws-sdk/client-database-migration-service";

export type DmsClient = Pick<DatabaseMigrationServiceClient, "send">;

/** Statuses in which DMS is changing the task (it settles into running, stopped, ready or failed). */
export const BUSY_TASK_STATUSES: ReadonlySet<string> = new Set([
  "creating",
  "starting",
  "stopping",
  "modifying",
  "moving",
  "deleting",
  "testing",
]);

/** Whether a task has come to rest not running: stopped, or failed (which resume-processing restarts too). */
export const hasStopped = (status: string | undefined): boolean =>
  status === "stopped" || status === "failed";

/**
 * The tag on a task the Aurora auto-stop paused (its value says who): it resumes such a task once the
 * cluster is back, and the capture watch does not report it as down meanwhile.
 */
export const PAUSED_TAG = "cdc:paused-by";
export type ReplicationTask = { arn: string; status: string | undefined; failure?: string };

/** The task with this identifier, or undefined when there is none (yet). */
export async function describeTask(dms: DmsClient, identifier: string): Promise<ReplicationTask | undefined> {
  try {
    const r = await dms.send(
      new DescribeReplicationTasksCommand({
        Filters: [{ Name: "replication-task-id", Values: [identifier] }],
        WithoutSettings: true,
      }),
    );
    const task = r.ReplicationTasks?.[0];
    if (!task?.ReplicationTaskArn) return undefined;
    const failure = task.LastFailureMessage ?? task.StopReason;
    return { arn: task.ReplicationTaskArn, status: task.Status, ...(failure && { failure }) };
  } catch (error) {
    if (error instanceof ResourceNotFoundFault) return undefined;
    throw error;
  }
}

/** Who paused the task (the value of its PAUSED_TAG), or undefined when nobody did. */
export async function taskPausedBy(dms: DmsClient, arn: string): Promise<string | undefined> {
  const { TagList = [] } = await dms.send(new ListTagsForResourceCommand({ ResourceArn: arn }));
  return TagList.find((t) => t.Key === PAUSED_TAG)?.Value;
}

export type WaitOptions = { deadline: number; pollMs?: number; sleep?: (ms: number) => Promise<unknown> };

/**
 * Reads the task every pollMs until `settled` holds for its status (or it is gone); returns that status,
 * or undefined once the deadline passes first.
 */
export async function waitForTask(
  dms: DmsClient,
  identifier: string,
  settled: (status: string | undefined) => boolean,
  wait: WaitOptions,
): Promise<{ status: string | undefined } | undefined> {
  const sleep = wait.sleep ?? delay;
  for (;;) {
    await sleep(wait.pollMs ?? 10_000);
    const task = await describeTask(dms, identifier);
    if (!task || settled(task.status)) return { status: task?.status };
    if (Date.now() > wait.deadline) return undefined;
  }
}
