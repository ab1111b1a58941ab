/**
 * Whether the capture is down, from the DMS task's status, pure. A stopped or failed task emits no DMS
 * metrics, so latency alarms stay quiet exactly when nothing is captured; the capture watch reports the
 * task's state itself. Down: failed, stopped (unless the Aurora auto-stop paused it, which resumes it),
 * created and never started, or gone. DMS changing the task (a deploy stops, modifies and resumes it)
 * is not down: the alarm waits for two reports in a row.
 */
import { BUSY_TASK_STATUSES, hasStopped, type ReplicationTask } from "../../shared/dms-task";

export type CaptureState = "running" | "changing" | "paused" | "down";
export type CaptureAssessment = { state: CaptureState; status: string; reason: string };

export function assessCapture(
  identifier: string,
  task: ReplicationTask | undefined,
  pausedBy: string | undefined,
): CaptureAssessment {
  if (!task) return { state: "down", status: "absent", reason: `there is no replication task ${identifier}` };
  const status = task.status ?? "unknown";
  const why = task.failure ? `: ${task.failure}` : "";
  if (status === "running") return { state: "running", status, reason: "the task is running" };
  if (BUSY_TASK_STATUSES.has(status))
    return { state: "changing", status, reason: `DMS is changing the task (${status})` };
  if (pausedBy !== undefined && hasStopped(status))
    return { state: "paused", status, reason: `paused by ${pausedBy}; resumed once the cluster is back` };
  if (status === "ready") return { state: "down", status, reason: "the task was created and never started" };
  return { state: "down", status, reason: `the task is ${status}${why}` };
}
