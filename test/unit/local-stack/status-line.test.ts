/** npm start's status line: whole where it fits; on a narrow terminal the zero counts that say least go first. */
import { describe, expect, it } from "vitest";
import { statusLine } from "../../../tools/local-stack/status-line";

const figures = {
  captured: 233_334,
  tally: { applied: 233_334, stale: 0, deadLettered: 0, superseded: 0, retried: 0 },
  inFlight: 0,
  dlqDepth: 0,
  freshnessMs: 22_780,
};

describe("statusLine", () => {
  it("is the whole line where it fits, and in a log", () => {
    const whole =
      "captured 233334 · applied 233334 · stale 0 · dead-lettered 0 · in flight 0 · DLQ 0 · freshness 22.78 s";
    expect(statusLine(figures)).toBe(whole);
    expect(statusLine(figures, 200)).toBe(whole);
  });

  it("keeps the DLQ and the freshness in 80 columns, leaving out zero counts first", () => {
    const narrow = statusLine(figures, 80);
    expect(narrow).toBe("captured 233334 · applied 233334 · DLQ 0 · freshness 22.78 s");
    expect([...narrow].length).toBeLessThan(80);
    // A count that is not zero stays: it is news.
    const refused = statusLine({ ...figures, tally: { ...figures.tally, deadLettered: 3 }, dlqDepth: 3 }, 80);
    expect(refused).toBe("captured 233334 · applied 233334 · dead-lettered 3 · DLQ 3 · freshness 22.78 s");
  });

  it("says what it cannot read, and shows superseded once there is one", () => {
    expect(statusLine({ ...figures, dlqDepth: undefined, freshnessMs: undefined })).toContain(
      "DLQ ? · freshness -",
    );
    expect(statusLine({ ...figures, tally: { ...figures.tally, superseded: 1 } })).toContain(
      "dead-lettered 0 · superseded 1 · in flight 0",
    );
  });
});
