/** Reads the DMS task (and, when it is not running, who paused it) and assesses the capture. */
import { type DmsClient, describeTask, taskPausedBy } from "../../shared/dms-task";
import { assessCapture, type CaptureAssessment } from "./assess";

export async function watchCapture(dms: DmsClient, identifier: string): Promise<CaptureAssessment> {
  const task = await describeTask(dms, identifier);
  const stopped = task && (task.status === "stopped" || task.status === "failed");
  const pausedBy = stopped ? await taskPausedBy(dms, task.arn) : undefined;
  return assessCapture(identifier, task, pausedBy);
}
