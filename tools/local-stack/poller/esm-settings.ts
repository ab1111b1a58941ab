/**
 * The Kinesis event source mapping of a function, read from its `Events` in template.yaml, its parameters
 * (`BatchSize: !Ref IndexerBatchSize`) resolved with their values (defaults, or a stage's).
 */
import { z } from "zod";
import type { LocalFunction } from "../../lib/sam-function";

const properties = z.object({
  StartingPosition: z.enum(["TRIM_HORIZON", "LATEST"]).default("LATEST"),
  BatchSize: z.coerce.number().int().min(1).max(10_000).default(100),
  MaximumBatchingWindowInSeconds: z.coerce.number().int().min(0).max(300).default(0),
  ParallelizationFactor: z.coerce.number().int().min(1).max(10).default(1),
  BisectBatchOnFunctionError: z.boolean().default(false),
  MaximumRetryAttempts: z.number().int().min(-1).max(10_000).default(-1),
  MaximumRecordAgeInSeconds: z.number().int().min(-1).max(604_800).default(-1),
  FunctionResponseTypes: z.array(z.literal("ReportBatchItemFailures")).default([]),
  DestinationConfig: z.object({ OnFailure: z.object({ Destination: z.unknown() }) }).optional(),
});

export type EsmSettings = {
  eventId: string;
  startingPosition: "TRIM_HORIZON" | "LATEST";
  batchSize: number;
  batchingWindowMs: number;
  parallelizationFactor: number;
  bisectOnError: boolean;
  /** -1: unlimited. */
  maximumRetryAttempts: number;
  /** -1: unlimited. */
  maximumRecordAgeSeconds: number;
  reportBatchItemFailures: boolean;
  hasOnFailureDestination: boolean;
};

export function kinesisEventSource(fn: LocalFunction): EsmSettings {
  const events = (fn.properties.Events ?? {}) as Record<string, { Type?: string; Properties?: unknown }>;
  const found = Object.entries(events).find(([, e]) => e.Type === "Kinesis");
  if (!found) throw new Error(`${fn.logicalId} has no Kinesis event source in the template`);
  const [eventId, event] = found;
  // The settings a stage may set through parameters; the others are literals (or only AWS knows them).
  const raw = { ...((event.Properties ?? {}) as Record<string, unknown>) };
  for (const key of ["BatchSize", "MaximumBatchingWindowInSeconds", "ParallelizationFactor"])
    if (raw[key] !== undefined && typeof raw[key] === "object") raw[key] = fn.resolve(raw[key]);
  const p = properties.parse(raw);
  return {
    eventId,
    startingPosition: p.StartingPosition,
    batchSize: p.BatchSize,
    batchingWindowMs: p.MaximumBatchingWindowInSeconds * 1000,
    parallelizationFactor: p.ParallelizationFactor,
    bisectOnError: p.BisectBatchOnFunctionError,
    maximumRetryAttempts: p.MaximumRetryAttempts,
    maximumRecordAgeSeconds: p.MaximumRecordAgeInSeconds,
    reportBatchItemFailures: p.FunctionResponseTypes.includes("ReportBatchItemFailures"),
    hasOnFailureDestination: p.DestinationConfig !== undefined,
  };
}
