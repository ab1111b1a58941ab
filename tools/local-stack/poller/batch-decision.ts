/**
 * What Lambda's Kinesis event source mapping does after each invocation of a batch, as a pure decision:
 * acknowledge, split (BisectBatchOnFunctionError), retry with a delay, or discard to the on-failure
 * destination (MaximumRetryAttempts); and which records are too old to invoke at all
 * (MaximumRecordAgeInSeconds). The poller applies the decisions; tests check them without a stream.
 */
import type { EsmSettings } from "./esm-settings";

export type Outcome =
  | { kind: "ok" }
  /** ReportBatchItemFailures: records before `from` succeeded. */
  | { kind: "partial"; from: number }
  | { kind: "failed"; functionError: boolean; message: string };

/** A batch being worked on: its size and the retries it has used. */
export type BatchState = { size: number; attempts: number };

export type Decision =
  /** Every record acknowledged. */
  | { kind: "done" }
  /** Split in two (the halves keep the retries used); no retry is used up. */
  | { kind: "split"; firstHalf: number }
  /** Acknowledge the first `acknowledge` records, retry the rest after `delayMs`. */
  | { kind: "retry"; acknowledge: number; attempts: number; delayMs: number }
  /** Acknowledge the first `acknowledge` records, hand the rest to the on-failure destination. */
  | { kind: "discard"; acknowledge: number; functionError: boolean };

export type DecisionSettings = Pick<EsmSettings, "bisectOnError" | "maximumRetryAttempts"> & {
  /** First retry delay; doubles per retry up to 1 s. */
  retryDelayMs: number;
};

export function decideAfterInvoke(batch: BatchState, outcome: Outcome, settings: DecisionSettings): Decision {
  if (outcome.kind === "ok") return { kind: "done" };
  const functionError = outcome.kind === "failed" && outcome.functionError;
  if (functionError && settings.bisectOnError && batch.size > 1)
    return { kind: "split", firstHalf: Math.ceil(batch.size / 2) };
  const acknowledge = outcome.kind === "partial" ? outcome.from : 0;
  const attempts = batch.attempts + 1;
  if (settings.maximumRetryAttempts >= 0 && attempts > settings.maximumRetryAttempts)
    return { kind: "discard", acknowledge, functionError };
  const delayMs = Math.min(1000, settings.retryDelayMs * 2 ** Math.min(attempts - 1, 10));
  return { kind: "retry", acknowledge, attempts, delayMs };
}

/** Indexes of records older than MaximumRecordAgeInSeconds (-1: no limit), by arrival time in seconds. */
export function expiredRecords(
  arrivalsSeconds: number[],
  nowSeconds: number,
  maximumAgeSeconds: number,
): number[] {
  if (maximumAgeSeconds < 0) return [];
  const oldest = nowSeconds - maximumAgeSeconds;
  return arrivalsSeconds.flatMap((arrival, i) => (arrival < oldest ? [i] : []));
}
