/** Reads the DMS task (and, when it is not running, who paused it) and assesses the capture. */
import { type DmsClient, describeTask, hasStopped, taskPausedBy } from "../../shared/dms-task";
import { assessCapture, type CaptureAssessment } from "./assess";

export async function watchCapture(dms: DmsClient, identifier: string): Promise<CaptureAssessment> {
  const task = await describeTask(dms, identifier);
  const pausedBy = task && hasStopped(task.status) ? await taskPausedBy(dms, task.arn) : undefined;
  return assessCapture(identifier, task, pausedBy);
}
