/**
 * What the DMS task controller does for a CloudFormation request, pure. CloudFormation can create a
 * replication task but cannot start it, and cannot modify or delete a running one, so two custom
 * resources drive it:
 * - `start` (depends on the task): on create and update it starts the task (`start-replication` the
 *   first time, `resume-processing` after a stop); on delete it stops the task so CloudFormation can
 *   delete it.
 * - `stop-for-change` (the task depends on it; its properties carry a fingerprint of the task's
 *   settings): on update, before CloudFormation modifies the task, it stops the task.
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

/** The next step towards what the request needs, given the task's current status. */
export function nextStep(action: ControlAction, request: RequestType, status: TaskStatus): Step {
  const wantsRunning = action === "start" && request !== "Delete";
  const wantsStopped =
    (action === "start" && request === "Delete") || (action === "stop-for-change" && request === "Update");
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
