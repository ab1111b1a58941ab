/**
 * The DMS task controller, a CloudFormation custom resource (see plan.ts for what it does). It always
 * answers CloudFormation: SUCCESS once the task is where the request needs it, FAILED with the reason
 * otherwise, including when the task does not settle before the function's time runs out.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { Logger } from "@aws-lambda-powertools/logger";
import {
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";
import { z } from "zod";
import type { Respond } from "../../shared/cfn-response";
import { type DmsClient, describeTask } from "../../shared/dms-task";
import { PipelineError } from "../../shared/errors";
import { issueLines } from "../../shared/zod-issues";
import { type ControlAction, nextStep } from "./plan";

export type DmsTaskDeps = {
  dms: DmsClient;
  respond: Respond;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** The stack's status (DescribeStacks on the request's StackId): tells an update from its rollback. */
  stackStatus: (stackId: string) => Promise<string | undefined>;
  sleep?: (ms: number) => Promise<void>;
  /** How often the task's status is read while waiting (DMS takes about a minute to start or stop). */
  pollMs?: number;
  /** Kept back from the function's deadline to answer CloudFormation. */
  marginMs?: number;
};

export class TaskControlError extends PipelineError {
  override name = "TaskControlError";
}

const propertiesSchema = z.object({
  Action: z.enum(["start", "stop-for-change"]),
  TaskIdentifier: z.string().regex(/^[a-zA-Z][a-zA-Z0-9-]{0,254}$/, "a DMS replication task identifier"),
});

/** Properties that say how CloudFormation reaches this function, not what the task is. */
const NOT_THE_TASK = new Set(["ServiceToken", "ServiceTimeout"]);

const taskProperties = (props: Record<string, unknown> | undefined): string =>
  JSON.stringify(
    Object.entries(props ?? {})
      .filter(([key]) => !NOT_THE_TASK.has(key))
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );

/**
 * Whether an update of `stop-for-change` is for a change of the task: one that only sets the resource's
 * ServiceTimeout (or a new function) leaves the task as it is, and stopping it would pause the capture
 * for nothing.
 */
function changesTheTask(event: CloudFormationCustomResourceEvent): boolean {
  if (event.RequestType !== "Update") return true;
  return taskProperties(event.OldResourceProperties) !== taskProperties(event.ResourceProperties);
}

/**
 * Whether this update is CloudFormation rolling back a failed deploy (plan.ts: the two resources swap
 * roles then). Not known when the stack's status cannot be read: taken as a forward update, as before.
 */
async function rollingBack(deps: DmsTaskDeps, event: CloudFormationCustomResourceEvent): Promise<boolean> {
  if (event.RequestType !== "Update") return false;
  try {
    return (await deps.stackStatus(event.StackId)) === "UPDATE_ROLLBACK_IN_PROGRESS";
  } catch (error) {
    deps.logger.warn("could not read the stack's status; taking the update as a forward one", {
      error: error as Error,
    });
    return false;
  }
}

/** Drives the task until the request is satisfied or the time runs out. */
async function converge(
  deps: DmsTaskDeps,
  action: ControlAction,
  request: CloudFormationCustomResourceEvent["RequestType"],
  identifier: string,
  deadline: number,
  rollback: boolean,
): Promise<void> {
  const sleep = deps.sleep ?? delay;
  const pollMs = deps.pollMs ?? 15_000;
  let started = false;
  for (;;) {
    const task = await describeTask(deps.dms, identifier);
    const step = nextStep(action, request, task?.status, rollback);
    if (step.kind === "done") return;
    if (task && step.kind === "start") {
      if (started)
        throw new TaskControlError(
          "task_failed",
          `task ${identifier} is ${task.status} after its start: ${task.failure ?? "no reason given"}`,
        );
      await deps.dms.send(
        new StartReplicationTaskCommand({
          ReplicationTaskArn: task.arn,
          StartReplicationTaskType: step.type,
        }),
      );
      deps.logger.info("replication task started", { task: identifier, type: step.type });
      started = true;
      await sleep(pollMs); // DMS reports the new status only after a moment
    } else if (task && step.kind === "stop") {
      await deps.dms.send(new StopReplicationTaskCommand({ ReplicationTaskArn: task.arn }));
      deps.logger.info("replication task stopping", { task: identifier });
      await sleep(pollMs);
    } else if (Date.now() + pollMs > deadline) {
      throw new TaskControlError(
        "task_not_settled",
        `task ${identifier} did not settle in time (${task?.status ?? "absent"}; waiting until ${step.kind === "wait" ? step.until : step.kind})`,
      );
    } else await sleep(pollMs);
  }
}

export function createDmsTaskHandler(deps: DmsTaskDeps) {
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const fallbackId = `${event.LogicalResourceId}`;
    const physicalResourceId = event.RequestType === "Create" ? undefined : event.PhysicalResourceId;
    try {
      const parsed = propertiesSchema.safeParse(event.ResourceProperties);
      if (!parsed.success)
        throw new TaskControlError("invalid_properties", issueLines(parsed.error).join("; "));
      const { Action: action, TaskIdentifier: identifier } = parsed.data;
      const deadline = Date.now() + context.getRemainingTimeInMillis() - (deps.marginMs ?? 15_000);
      const rollback = await rollingBack(deps, event);
      if ((action === "stop-for-change" || rollback) && !changesTheTask(event))
        deps.logger.info("replication task left as it is: the update does not change it", {
          task: identifier,
          rollback,
        });
      else if (rollback && action === "stop-for-change") {
        // The last step of a rollback: the task has its old settings back. A task that does not start
        // now is left stopped (CaptureDown alarms); failing here would fail the rollback itself.
        await converge(deps, action, event.RequestType, identifier, deadline, rollback).catch(
          (error: Error) =>
            deps.logger.error("replication task not resumed after the rollback: resume it by hand", {
              task: identifier,
              error,
            }),
        );
      } else await converge(deps, action, event.RequestType, identifier, deadline, rollback);
      await deps.respond(event, {
        status: "SUCCESS",
        physicalResourceId: physicalResourceId ?? `${identifier}/${action}`,
      });
    } catch (error) {
      const e = error as Error;
      deps.logger.error("replication task control failed", { request: event.RequestType, error: e });
      await deps.respond(event, {
        status: "FAILED",
        physicalResourceId: physicalResourceId ?? fallbackId,
        reason: `${e.name}: ${e.message}`,
      });
    }
  };
}
