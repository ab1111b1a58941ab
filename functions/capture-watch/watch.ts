/** Reads the DMS task (and, when it is not running, who paused it) and assesses the capture. */
import { ListTagsForResourceCommand } from "@aws-sdk/client-database-migration-service";
import { type DmsClient, describeTask, PAUSED_TAG } from "../../shared/dms-task";
import { assessCapture, type CaptureAssessment } from "./assess";

export async function watchCapture(dms: DmsClient, identifier: string): Promise<CaptureAssessment> {
  const task = await describeTask(dms, identifier);
  let pausedBy: string | undefined;
  if (task && (task.status === "stopped" || task.status === "failed")) {
    const { TagList = [] } = await dms.send(new ListTagsForResourceCommand({ ResourceArn: task.arn }));
    pausedBy = TagList.find((t) => t.Key === PAUSED_TAG)?.Value;
  }
  return assessCapture(identifier, task, pausedBy);
}
