/**
 * The frame of a CloudFormation custom resource that sets something up and never takes it down: Delete
 * answers SUCCESS and leaves everything; Create and Update validate the properties once (zod) and run the
 * work; any failure answers FAILED with its reason. Every request is answered, so a stack never waits an
 * hour. The database and search bootstraps use it.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { CloudFormationCustomResourceEvent, Context } from "aws-lambda";
import type { z } from "zod";
import type { Respond } from "./cfn-response";
import { issueLines } from "./zod-issues";

export type SetUpResult = { physicalResourceId: string; data?: Record<string, string> };

export function createSetUpResource<S extends z.ZodType>(options: {
  /** What is set up, for log lines ("database bootstrap"). */
  what: string;
  /** Why Delete leaves things as they are, for the log. */
  leftOnDelete: string;
  schema: S;
  /** The error thrown for invalid properties (its class names the resource in the reason). */
  invalid: (message: string) => Error;
  respond: Respond;
  logger: Pick<Logger, "info" | "error">;
  run: (props: z.output<S>, context: Context) => Promise<SetUpResult>;
}) {
  return async (event: CloudFormationCustomResourceEvent, context: Context): Promise<void> => {
    const existingId = event.RequestType === "Create" ? undefined : event.PhysicalResourceId;
    try {
      if (event.RequestType === "Delete") {
        options.logger.info(`${options.what} deleted: ${options.leftOnDelete}`);
        await options.respond(event, {
          status: "SUCCESS",
          physicalResourceId: existingId ?? event.LogicalResourceId,
        });
        return;
      }
      const parsed = options.schema.safeParse(event.ResourceProperties);
      if (!parsed.success) throw options.invalid(issueLines(parsed.error).join("; "));
      const result = await options.run(parsed.data, context);
      await options.respond(event, { status: "SUCCESS", ...result });
    } catch (error) {
      const e = error as Error;
      options.logger.error(`${options.what} failed`, { request: event.RequestType, error: e });
      await options.respond(event, {
        status: "FAILED",
        physicalResourceId: existingId ?? event.LogicalResourceId,
        reason: `${e.name}: ${e.message}`,
      });
    }
  };
}
