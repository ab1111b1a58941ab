/** The batch's acknowledgement rule (functions/indexer/checkpoint.ts), table-driven. */
import { describe, expect, it } from "vitest";
import {
  batchItemFailures,
  leftForRetry,
  type RecordCheckpoint,
  type RecordStatus,
  toDeadLetter,
} from "../../../functions/indexer/checkpoint";

/** Records 10, 20, 30 … with the given statuses (sequence numbers past 2^53, as Kinesis's are). */
const batch = (...statuses: RecordStatus[]): RecordCheckpoint[] =>
  statuses.map((status, i) => ({ sequenceNumber: `4968073034251384913299455008420${(i + 1) * 10}`, status }));
const seq = (i: number) => `4968073034251384913299455008420${(i + 1) * 10}`;

describe("toDeadLetter", () => {
  it.each([
    ["nothing failed", ["done", "done"], []],
    ["every permanent failure when nothing is retried", ["permanent", "done", "permanent"], [0, 2]],
    ["only those before the lowest retry", ["permanent", "retry", "permanent", "retry"], [0]],
    ["none when the first record is retried", ["retry", "permanent", "permanent"], []],
    ["already dead-lettered ones are not sent again", ["dead-lettered", "permanent"], [1]],
  ] as const)("%s", (_name, statuses, expected) => {
    expect(toDeadLetter(batch(...statuses))).toEqual(expected);
  });

  it("compares sequence numbers as numbers, not text", () => {
    const records: RecordCheckpoint[] = [
      { sequenceNumber: "100", status: "permanent" },
      { sequenceNumber: "99", status: "retry" },
    ];
    expect(toDeadLetter(records)).toEqual([]);
  });
});

describe("batchItemFailures", () => {
  it.each([
    ["all done: the batch is acknowledged", ["done", "dead-lettered", "done"], []],
    ["the lowest retry", ["done", "retry", "retry"], [seq(1)]],
    ["a permanent failure left after a retry counts too", ["done", "retry", "permanent"], [seq(1)]],
    [
      "a permanent failure the queue did not take (still permanent) is not acknowledged",
      ["permanent", "done"],
      [seq(0)],
    ],
  ] as const)("%s", (_name, statuses, expected) => {
    expect(batchItemFailures(batch(...statuses)).map((f) => f.itemIdentifier)).toEqual(expected);
  });

  it("counts what Lambda delivers again", () => {
    expect(leftForRetry(batch("done", "retry", "permanent", "dead-lettered"))).toBe(2);
  });
});
