/** Which indices `npm run reload -- --rebuild` deletes, and the repair `npm run verify` suggests. */
import { describe, expect, it } from "vitest";
import { deadLettersAfterRebuild, indicesToRebuild, repairCommand } from "../../operator/reload/rebuild";
import { ReloadError } from "../../operator/reload/reload";
import { parsePipelineConfig } from "../../shared/pipeline-config";

// orders has a route; events and audit share one index; items stands alone.
const pipeline = parsePipelineConfig(
  `tables:
  public.orders: { primaryKey: [id], index: orders }
  public.items: { primaryKey: [id], index: items }
  public.events: { primaryKey: [id], index: history }
  public.audit: { primaryKey: [id], index: history }
routes:
  - { index: paid-orders, table: public.orders, when: { field: status, equals: paid } }`,
  { indexPrefix: "local-" },
);

describe("indicesToRebuild", () => {
  it("deletes a table's own index and its routes' indices", () => {
    expect(indicesToRebuild(pipeline, ["public.orders"])).toEqual(["local-orders", "local-paid-orders"]);
    expect(indicesToRebuild(pipeline, ["public.items", "public.orders"])).toEqual([
      "local-orders",
      "local-paid-orders",
      "local-items",
    ]);
  });

  it("refuses an index another table also writes to, unless that table is named too", () => {
    expect(() => indicesToRebuild(pipeline, ["public.events"])).toThrow(ReloadError);
    expect(() => indicesToRebuild(pipeline, ["public.events"])).toThrow(
      "local-history is also written by public.audit: name those tables too",
    );
    expect(indicesToRebuild(pipeline, ["public.events", "public.audit"])).toEqual(["local-history"]);
  });
});

describe("repairCommand", () => {
  const found = (index: string, missing: number, wrong: number) => ({ index, missing, wrong });

  it("suggests nothing when every index matches", () => {
    expect(
      repairCommand(pipeline, [found("local-orders", 0, 0), found("local-items", 0, 0)]),
    ).toBeUndefined();
  });

  it("fills in missing documents with a reload, and rebuilds indices with documents that differ", () => {
    expect(repairCommand(pipeline, [found("local-items", 3, 0)])).toBe("npm run reload -- public.items");
    expect(repairCommand(pipeline, [found("local-items", 3, 1)])).toBe(
      "npm run reload -- --rebuild public.items",
    );
    // A route index that differs rebuilds the table that writes to it.
    expect(repairCommand(pipeline, [found("local-paid-orders", 0, 2), found("local-items", 1, 0)])).toBe(
      "npm run reload -- --rebuild public.orders; then npm run reload -- public.items",
    );
  });

  it("suggests no reload of a table the database does not have (dropped): it has no rows to load", () => {
    const findings = [found("local-orders", 0, 2), found("local-items", 1, 0)];
    expect(repairCommand(pipeline, findings, undefined, ["public.orders"])).toBe(
      "npm run reload -- public.items",
    );
    expect(repairCommand(pipeline, findings, undefined, ["public.orders", "public.items"])).toBeUndefined();
  });

  it("names every table of a shared index, so the rebuild it suggests is not refused", () => {
    const repair = repairCommand(pipeline, [found("local-history", 0, 1)]) as string;
    expect(repair).toBe("npm run reload -- --rebuild public.events public.audit");
    expect(indicesToRebuild(pipeline, repair.split(" ").slice(5))).toEqual(["local-history"]);
    expect(repairCommand(pipeline, [found("local-history", 0, 1)], "prod")).toBe(
      "npm run reload -- --rebuild --config-env prod public.events public.audit",
    );
  });

  it("names the stage's commands for a stage", () => {
    expect(repairCommand(pipeline, [found("local-orders", 1, 1)], "dev")).toBe(
      "npm run reload -- --rebuild --config-env dev public.orders",
    );
    expect(repairCommand(pipeline, [found("local-items", 2, 0)], "dev")).toBe(
      "npm run reload -- --config-env dev public.items",
    );
  });
});

describe("deadLettersAfterRebuild", () => {
  it("says there is nothing to discard when the DLQ is empty", () => {
    expect(deadLettersAfterRebuild(["public.orders"], 0)).toBe(
      "the DLQ is empty: no dead letters from before this rebuild to discard",
    );
  });

  it("names the discard per table when the DLQ holds messages, with the stage", () => {
    const said = deadLettersAfterRebuild(["public.orders", "public.items"], 3, "dev");
    expect(said).toContain("the DLQ holds 3 message(s) (npm run redrive -- --config-env dev --dry-run");
    expect(said).toContain(
      "discard them (npm run redrive -- --config-env dev --discard --table public.orders; npm run redrive -- --config-env dev --discard --table public.items)",
    );
  });

  it("still names the discard when the depth could not be read, with the reason", () => {
    const said = deadLettersAfterRebuild(
      ["public.orders"],
      new Error("AccessDenied: no sqs:GetQueueAttributes"),
    );
    expect(said).toContain("the DLQ's depth could not be read (AccessDenied: no sqs:GetQueueAttributes)");
    expect(said).toContain("discard them (npm run redrive -- --discard --table public.orders)");
  });
});
