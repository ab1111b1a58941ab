/** The DMS task controller's decision, table-driven. */
import { describe, expect, it } from "vitest";
import { nextStep } from "../../../functions/dms-task/plan";

describe("nextStep", () => {
  it.each([
    ["start", "Create", "ready", { kind: "start", type: "start-replication" }],
    ["start", "Create", "creating", { kind: "wait", until: "the task is no longer creating" }],
    ["start", "Create", undefined, { kind: "wait", until: "the task exists" }],
    ["start", "Update", "stopped", { kind: "start", type: "resume-processing" }],
    ["start", "Update", "failed", { kind: "start", type: "resume-processing" }],
    ["start", "Update", "running", { kind: "done" }],
    ["start", "Update", "starting", { kind: "wait", until: "the task is running" }],
    ["start", "Update", "modifying", { kind: "wait", until: "the task is no longer modifying" }],
    ["start", "Delete", "running", { kind: "stop" }],
    ["start", "Delete", "stopping", { kind: "wait", until: "the task is no longer stopping" }],
    ["start", "Delete", "stopped", { kind: "done" }],
    ["start", "Delete", undefined, { kind: "done" }],
    ["stop-for-change", "Create", "running", { kind: "done" }],
    ["stop-for-change", "Create", undefined, { kind: "done" }],
    ["stop-for-change", "Update", "running", { kind: "stop" }],
    ["stop-for-change", "Update", "ready", { kind: "done" }],
    ["stop-for-change", "Delete", "running", { kind: "done" }],
  ] as const)("%s on %s with the task %s", (action, request, status, expected) => {
    expect(nextStep(action, request, status)).toEqual(expected);
  });

  // An update's rollback: `start` (rolled back before the task is modified back) stops the task;
  // `stop-for-change` (rolled back after it) starts it again.
  it.each([
    ["start", "running", { kind: "stop" }],
    ["start", "starting", { kind: "wait", until: "the task is no longer starting" }],
    ["start", "stopped", { kind: "done" }],
    ["stop-for-change", "stopped", { kind: "start", type: "resume-processing" }],
    ["stop-for-change", "failed", { kind: "start", type: "resume-processing" }],
    ["stop-for-change", "ready", { kind: "start", type: "start-replication" }],
    ["stop-for-change", "modifying", { kind: "wait", until: "the task is no longer modifying" }],
    ["stop-for-change", "running", { kind: "done" }],
  ] as const)("%s rolled back with the task %s", (action, status, expected) => {
    expect(nextStep(action, "Update", status, true)).toEqual(expected);
  });

  it("takes a rollback flag only for updates (a failed create deletes, a delete is a delete)", () => {
    expect(nextStep("start", "Delete", "running", true)).toEqual({ kind: "stop" });
    expect(nextStep("stop-for-change", "Delete", "running", true)).toEqual({ kind: "done" });
  });
});
