/** A Lambda context as the Node.js runtime builds it, with a real deadline. */
import { randomUUID } from "node:crypto";
import type { Context } from "aws-lambda";

export type ContextOptions = {
  functionName: string;
  timeoutSeconds: number;
  memorySize: number;
  region: string;
  accountId?: string;
  now?: () => number;
};

export function createLambdaContext(options: ContextOptions): Context {
  const now = options.now ?? Date.now;
  const deadline = now() + options.timeoutSeconds * 1000;
  const accountId = options.accountId ?? "123456789012";
  const unsupported = (name: string) => () => {
    throw new Error(`context.${name}() is not supported: return a value or throw from an async handler`);
  };
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: options.functionName,
    functionVersion: "$LATEST",
    invokedFunctionArn: `arn:aws:lambda:${options.region}:${accountId}:function:${options.functionName}`,
    memoryLimitInMB: String(options.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${options.functionName}`,
    logStreamName: `${new Date().toISOString().slice(0, 10).replaceAll("-", "/")}/[$LATEST]${randomUUID().replaceAll("-", "")}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - now()),
    done: unsupported("done"),
    fail: unsupported("fail"),
    succeed: unsupported("succeed"),
  };
}

/** The handler's result, or Lambda's "Task timed out" error once the function's timeout has passed. */
export async function withLambdaTimeout<T>(result: Promise<T> | T, timeoutSeconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`Task timed out after ${timeoutSeconds.toFixed(2)} seconds`)),
      timeoutSeconds * 1000,
    );
  });
  try {
    return await Promise.race([Promise.resolve(result), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
