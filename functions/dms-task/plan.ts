/**
 * What the DMS task controller does for a CloudFormation request, pure. CloudFormation can create a
 * replication task but cannot start it, and cannot modify or delete a running one, so two custom
 * resources drive it:
 * - `start` (depends on the task): on create and update it starts the task (`start-replication` the
 *   first time, `resume-processing` after a stop); on delete it stops the task so CloudFormation can
 *   delete it.
 * - `stop-for-change` (the task depends on it; its properties carry a fingerprint of the task's
 *   settings): on update, before CloudFormation modifies the task, it stops the task.
 *
 * When the deploy fails, CloudFormation rolls the updated resources back in the reverse order: `start`
 * first, then the task (modified back, which DMS allows only on a stopped task), then `stop-for-change`.
 * So in an update's rollback the two swap roles: `start` stops the task, `stop-for-change` starts it
 * again. Without that, a rollback after `start` had resumed the task failed on the task's modification
 * (the stack stuck in UPDATE_ROLLBACK_FAILED), and one before it left the task stopped.
 */
import { BUSY_TASK_STATUSES } from "../../shared/dms-task";

export type ControlAction = "start" | "stop-for-change";
export type RequestType = "Create" | "Update" | "Delete";

/** DMS replication task statuses (DescribeReplicationTasks), or absent when there is no such task. */
export type TaskStatus =
  | "creating"
  | "ready"
  | "starting"
  | "running"
  | "stopping"
  | "stopped"
  | "failed"
  | "modifying"
  | "moving"
  | "deleting"
  | "failed-move"
  | "testing"
  | (string & {})
  | undefined;

export type Step =
  | { kind: "done" }
  /** DMS is busy with the task: ask again once this settles. */
  | { kind: "wait"; until: string }
  | { kind: "start"; type: "start-replication" | "resume-processing" }
  | { kind: "stop" };

/**
 * The next step towards what the request needs, given the task's current status; `rollback`: the update
 * is CloudFormation rolling back a failed deploy.
 */
export function nextStep(
  action: ControlAction,
  request: RequestType,
  status: TaskStatus,
  rollback = false,
): Step {
  const update = request === "Update";
  const wantsRunning =
    (action === "start" && request !== "Delete" && !(update && rollback)) ||
    (action === "stop-for-change" && update && rollback);
  const wantsStopped =
    (action === "start" && (request === "Delete" || (update && rollback))) ||
    (action === "stop-for-change" && update && !rollback);
  if (status === undefined) {
    if (wantsRunning) return { kind: "wait", until: "the task exists" };
    return { kind: "done" };
  }
  if (wantsRunning) {
    if (status === "running") return { kind: "done" };
    if (BUSY_TASK_STATUSES.has(status) && status !== "starting")
      return { kind: "wait", until: `the task is no longer ${status}` };
    if (status === "starting") return { kind: "wait", until: "the task is running" };
    if (status === "ready") return { kind: "start", type: "start-replication" };
    return { kind: "start", type: "resume-processing" }; // stopped, failed: carry on from the checkpoint
  }
  if (wantsStopped) {
    if (status === "running") return { kind: "stop" };
    if (BUSY_TASK_STATUSES.has(status)) return { kind: "wait", until: `the task is no longer ${status}` };
    return { kind: "done" }; // ready, stopped, failed: not running
  }
  return { kind: "done" };
}
