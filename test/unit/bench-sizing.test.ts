import { describe, expect, it } from "vitest";
import { parseParameterOverrides, readSamConfig } from "../../operator/lib/samconfig";
import { batchAtRate, ceilingTable, LAMBDA_ARM64, STAGE_SCENARIOS, sizing } from "../../tools/bench/sizing";
import { parameterValues, resolveValue } from "../../tools/lib/cfn-resolve";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

const base = {
  cpuMsPerRecord: 0.01,
  memoryMb: 1024,
  batchSize: 500,
  batchingWindowSeconds: 1,
  parallelizationFactor: 2,
  bulkModel: { fixedMs: 30, perRecordMs: 0.5 },
};

describe("sizing figures", () => {
  it("bills the CPU at the memory's share of a vCPU plus the bulk wait", () => {
    const s = sizing(base);
    const cpuMs = (0.01 * 500) / (1024 / 1769);
    expect(s.batchMs).toBeCloseTo(cpuMs + 30 + 250, 6);
    const gbSeconds = (1_000_000 / 500) * (s.batchMs / 1000) * (1024 / 1024);
    expect(s.gbSecondsPerMillion).toBeCloseTo(gbSeconds, 6);
    expect(s.costPerMillionUsd).toBeCloseTo(gbSeconds * LAMBDA_ARM64.perGbSecond + 2_000 * 0.2e-6, 9);
  });
  it("gives a shard its lanes, capped by its write limit; one table with table keys gets one lane", () => {
    const s = sizing(base);
    expect(s.laneChangesPerSecond).toBeCloseTo((500 / s.batchMs) * 1000, 6);
    expect(s.laneChangesPerSecond).toBeGreaterThan(1_000);
    expect(s.tableKeyedChangesPerSecond).toBe(1_000);
    expect(s.shardChangesPerSecond).toBe(1_000);
    const slow = sizing({ ...base, bulkModel: { fixedMs: 1_000, perRecordMs: 2 } });
    expect(slow.shardChangesPerSecond).toBeCloseTo(2 * slow.laneChangesPerSecond, 6);
    expect(slow.tableKeyedChangesPerSecond).toBeCloseTo(slow.laneChangesPerSecond, 6);
  });
  it("makes small batches cost more per change (the fixed wait is paid per invocation)", () => {
    expect(sizing(base, 10).costPerMillionUsd).toBeGreaterThan(sizing(base, 500).costPerMillionUsd * 2);
  });
  it("closes a batch when full or when the window ends, spread over the lanes", () => {
    expect(batchAtRate(base, 100)).toBe(50);
    expect(batchAtRate({ ...base, batchingWindowSeconds: 30 }, 100)).toBe(500);
    expect(batchAtRate(base, 1)).toBe(1);
  });
  it("shows one table's ceiling staying at one lane with schema.table keys while primary-key keys scale with shards", () => {
    const slow = { ...base, bulkModel: { fixedMs: 500, perRecordMs: 1 } }; // a lane: 500 / 1.0 s
    const lane = sizing(slow).laneChangesPerSecond;
    const rows = ceilingTable(slow, [1, 4]).slice(2);
    const cells = (row: string) =>
      row
        .split("|")
        .slice(2, 5)
        .map((c) => Number(c.trim().replace(/,/g, "")));
    expect(cells(rows[0] as string)).toEqual([Math.round(2 * lane), Math.round(2 * lane), Math.round(lane)]);
    expect(cells(rows[1] as string)).toEqual([Math.round(8 * lane), Math.round(8 * lane), Math.round(lane)]);
  });
});

describe("each stage's event-source settings", () => {
  it("are the sizing guide's: samconfig.toml's overrides on the template's defaults, as sam deploy resolves them", () => {
    const template = loadTemplate("template.yaml");
    const indexer = template.Resources.IndexerFunction?.Properties as {
      Events: { CdcStream: { Properties: Record<string, unknown> } };
    };
    const event = indexer.Events.CdcStream.Properties;
    for (const stage of ["dev", "staging", "prod"]) {
      const parameters = parameterValues(
        template,
        parseParameterOverrides(
          readSamConfig("samconfig.toml", stage, "deploy").parameter_overrides as string,
        ),
      );
      const value = (key: string) =>
        Number(resolveValue(event[key], { parameters, pseudo: {}, conditions: {} }));
      const scenario = STAGE_SCENARIOS.find((s) => s.name.split(" ")[0] === stage);
      expect(
        {
          batchSize: value("BatchSize"),
          batchingWindowSeconds: value("MaximumBatchingWindowInSeconds"),
          parallelizationFactor: value("ParallelizationFactor"),
        },
        stage,
      ).toEqual({
        batchSize: scenario?.batchSize,
        batchingWindowSeconds: scenario?.batchingWindowSeconds,
        parallelizationFactor: scenario?.parallelizationFactor,
      });
    }
  });
});
