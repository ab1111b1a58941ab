/**
 * Wakes a stopped Aurora cluster: invokes the auto-start function asynchronously (InvocationType
 * Event), at most once per cooldown per container, so a burst of requests against a stopped cluster
 * costs one invocation. The auto-start function itself is idempotent (it only starts a stopped cluster).
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import { InvokeCommand, type LambdaClient } from "@aws-sdk/client-lambda";

export type AutoStartResult = "invoked" | "cooling-down" | "disabled" | "failed";

export type AutoStartOptions = {
  lambda: Pick<LambdaClient, "send">;
  /** Unset: no auto-start (production, where the cluster never stops). */
  functionName: string | undefined;
  cooldownMs: number;
  logger: Pick<Logger, "info" | "error">;
  now?: () => number;
};

export function createAutoStarter(options: AutoStartOptions): (reason: string) => Promise<AutoStartResult> {
  const now = options.now ?? Date.now;
  let lastInvokedAt = Number.NEGATIVE_INFINITY;
  let pending: Promise<AutoStartResult> | undefined;

  return async function requestStart(reason: string): Promise<AutoStartResult> {
    const functionName = options.functionName;
    if (!functionName) return "disabled";
    if (pending) return pending.then((result) => (result === "invoked" ? "cooling-down" : result));
    if (now() - lastInvokedAt < options.cooldownMs) return "cooling-down";
    pending = (async (): Promise<AutoStartResult> => {
      try {
        await options.lambda.send(
          new InvokeCommand({
            FunctionName: functionName,
            InvocationType: "Event",
            Payload: new TextEncoder().encode(JSON.stringify({ source: "producer-api", reason })),
          }),
        );
        lastInvokedAt = now();
        options.logger.info("asked the auto-start function to start the database", { functionName, reason });
        return "invoked";
      } catch (error) {
        options.logger.error("could not invoke the auto-start function", {
          functionName,
          error: (error as Error).message,
        });
        return "failed";
      } finally {
        pending = undefined;
      }
    })();
    return pending;
  };
}
