/** The event source mapping's decision after each invocation, table-driven (no stream needed). */
import { describe, expect, it } from "vitest";
import {
  decideAfterInvoke,
  expiredRecords,
  type Outcome,
} from "../../../tools/local-stack/poller/batch-decision";

const settings = { bisectOnError: true, maximumRetryAttempts: 2, retryDelayMs: 100 };
const ok: Outcome = { kind: "ok" };
const crash: Outcome = { kind: "failed", functionError: true, message: "boom" };
const throttled: Outcome = { kind: "failed", functionError: false, message: "throttled" };
const partial = (from: number): Outcome => ({ kind: "partial", from });

describe("decideAfterInvoke", () => {
  it.each([
    ["success acknowledges all", { size: 5, attempts: 0 }, ok, settings, { kind: "done" }],
    [
      "a crash splits a batch in two, rounding the first half up",
      { size: 5, attempts: 1 },
      crash,
      settings,
      { kind: "split", firstHalf: 3 },
    ],
    [
      "a crash of one record is retried",
      { size: 1, attempts: 0 },
      crash,
      settings,
      { kind: "retry", acknowledge: 0, attempts: 1, delayMs: 100 },
    ],
    [
      "without bisect a crash is retried whole",
      { size: 4, attempts: 0 },
      crash,
      { ...settings, bisectOnError: false },
      { kind: "retry", acknowledge: 0, attempts: 1, delayMs: 100 },
    ],
    [
      "a non-function error is retried, not split",
      { size: 4, attempts: 1 },
      throttled,
      settings,
      { kind: "retry", acknowledge: 0, attempts: 2, delayMs: 200 },
    ],
    [
      "a partial failure acknowledges the records before it",
      { size: 6, attempts: 0 },
      partial(4),
      settings,
      { kind: "retry", acknowledge: 4, attempts: 1, delayMs: 100 },
    ],
    [
      "retries exhausted: the rest is discarded",
      { size: 6, attempts: 2 },
      partial(1),
      settings,
      { kind: "discard", acknowledge: 1, functionError: false },
    ],
    [
      "retries exhausted on a crash of one record",
      { size: 1, attempts: 2 },
      crash,
      settings,
      { kind: "discard", acknowledge: 0, functionError: true },
    ],
    [
      "-1 retries means retry for ever",
      { size: 1, attempts: 50 },
      throttled,
      { ...settings, maximumRetryAttempts: -1 },
      { kind: "retry", acknowledge: 0, attempts: 51, delayMs: 1000 },
    ],
  ] as const)("%s", (_name, batch, outcome, s, expected) => {
    expect(decideAfterInvoke(batch, outcome, s)).toEqual(expected);
  });
});

describe("expiredRecords", () => {
  it("finds records older than the maximum age, and none without a limit", () => {
    expect(expiredRecords([100, 150, 199, 200], 260, 60)).toEqual([0, 1, 2]);
    expect(expiredRecords([100, 150], 260, -1)).toEqual([]);
  });
});
