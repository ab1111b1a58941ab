import type { Context } from "aws-lambda";
import { createLambdaContext } from "../../tools/lib/lambda-context";

export function testContext(remainingMs = 60_000): Context {
  return createLambdaContext({
    functionName: "cdc-indexer-test",
    timeoutSeconds: remainingMs / 1000,
    memorySize: 1024,
    region: "eu-west-1",
  });
}

/** A logger stand-in that records what was logged (Powertools Logger's surface used by the indexer). */
export function recordingLogger() {
  const lines: { level: string; message: string; extra?: unknown }[] = [];
  const at = (level: string) => (message: string, extra?: unknown) => lines.push({ level, message, extra });
  return {
    lines,
    info: at("info"),
    warn: at("warn"),
    error: at("error"),
    debug: at("debug"),
  } as never as import("@aws-lambda-powertools/logger").Logger & { lines: typeof lines };
}

/** Indexer settings for tests: real limits, short retry delays, the SQS message limit. */
export const TEST_BATCH_SETTINGS = {
  dlqUrl: "https://sqs.eu-west-1.amazonaws.com/123456789012/test-dlq",
  dlqMaxMessageBytes: 262_144,
  retry: { maxBytes: 5_000_000, maxActions: 1000, baseDelayMs: 1, maxDelayMs: 5, safetyMarginMs: 100 },
};
