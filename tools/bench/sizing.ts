/**
 * The sizing figures docs/sizing.md explains, computed from what `npm run bench` measured: the indexer's
 * CPU per record (one full core) and the template's memory and event-source settings. What cannot be
 * measured here, OpenSearch's time to answer a bulk request, is an explicit assumption (`bulkModel`):
 * replace it with the domain's `BulkLatency` metric (p50) to size a real pipeline.
 */

/** Lambda arm64 list prices (us-east-1, as of 2026-12): per GB-second and per request. */
export const LAMBDA_ARM64 = { perGbSecond: 0.0000133334, perRequest: 0.2 / 1_000_000 };
/** Lambda gives a function one full vCPU at 1,769 MB, and a proportional share below. */
const FULL_VCPU_MB = 1_769;
/** Kinesis Data Streams: a shard takes at most 1,000 records/s (and 1 MiB/s) of writes. */
export const SHARD_WRITE_RECORDS_PER_SECOND = 1_000;

export type SizingInput = {
  cpuMsPerRecord: number;
  memoryMb: number;
  batchSize: number;
  batchingWindowSeconds: number;
  parallelizationFactor: number;
  /** Assumed OpenSearch answer time of one bulk request (waiting is billed Lambda duration). */
  bulkModel: { fixedMs: number; perRecordMs: number };
};

export type Sizing = {
  /** Billed duration of one full batch (ms). */
  batchMs: number;
  gbSecondsPerMillion: number;
  costPerMillionUsd: number;
  /** Changes/s one lane (one batch at a time) sustains with full batches. */
  laneChangesPerSecond: number;
  /** Changes/s one shard sustains: its lanes, capped by the shard's write limit. */
  shardChangesPerSecond: number;
  /** One table's ceiling with `schema.table` keys, however many shards: one lane of one shard. */
  tableKeyedChangesPerSecond: number;
};

export function sizing(input: SizingInput, batch = input.batchSize): Sizing {
  const share = Math.min(1, input.memoryMb / FULL_VCPU_MB);
  const batchMs =
    (input.cpuMsPerRecord * batch) / share + input.bulkModel.fixedMs + input.bulkModel.perRecordMs * batch;
  const invocations = 1_000_000 / batch;
  const gbSecondsPerMillion = invocations * (batchMs / 1000) * (input.memoryMb / 1024);
  const lane = (batch / batchMs) * 1000;
  return {
    batchMs,
    gbSecondsPerMillion,
    costPerMillionUsd: gbSecondsPerMillion * LAMBDA_ARM64.perGbSecond + invocations * LAMBDA_ARM64.perRequest,
    laneChangesPerSecond: lane,
    shardChangesPerSecond: Math.min(SHARD_WRITE_RECORDS_PER_SECOND, lane * input.parallelizationFactor),
    tableKeyedChangesPerSecond: Math.min(SHARD_WRITE_RECORDS_PER_SECOND, lane),
  };
}

/**
 * Batch size at a steady rate per shard: the batch closes when full or when the window ends, whichever
 * is first; with primary-key keys a shard's changes spread over its lanes.
 */
export function batchAtRate(input: SizingInput, changesPerSecondPerShard: number): number {
  const perLane = changesPerSecondPerShard / input.parallelizationFactor;
  return Math.max(
    1,
    Math.min(input.batchSize, Math.round(perLane * Math.max(1, input.batchingWindowSeconds))),
  );
}

/** A stage's event-source settings and the rate it is sized for (per shard). */
export type Scenario = {
  name: string;
  batchSize: number;
  batchingWindowSeconds: number;
  parallelizationFactor: number;
  changesPerSecondPerShard: number;
};

export const STAGE_SCENARIOS: Scenario[] = [
  {
    name: "dev",
    batchSize: 100,
    batchingWindowSeconds: 1,
    parallelizationFactor: 1,
    changesPerSecondPerShard: 10,
  },
  {
    name: "staging",
    batchSize: 500,
    batchingWindowSeconds: 1,
    parallelizationFactor: 2,
    changesPerSecondPerShard: 100,
  },
  {
    name: "prod (template)",
    batchSize: 500,
    batchingWindowSeconds: 1,
    parallelizationFactor: 2,
    changesPerSecondPerShard: 1_000,
  },
  {
    name: "bulk load",
    batchSize: 1_000,
    batchingWindowSeconds: 5,
    parallelizationFactor: 4,
    changesPerSecondPerShard: 1_000,
  },
];

/** The same rate (100 changes/s on a shard) with longer batching windows: fresher or cheaper. */
export const WINDOW_TRADE_OFF: Scenario[] = [1, 5, 30].map((window) => ({
  name: `window ${window} s`,
  batchSize: 1_000,
  batchingWindowSeconds: window,
  parallelizationFactor: 2,
  changesPerSecondPerShard: 100,
}));

/** Markdown rows: settings, the batch they produce at the rate, freshness bound, duration, cost, ceiling. */
export function sizingTable(
  scenarios: Scenario[],
  base: Pick<SizingInput, "cpuMsPerRecord" | "memoryMb" | "bulkModel">,
  refreshSeconds: number,
  firstColumn = "Stage",
): string[] {
  const rows = scenarios.map((s) => {
    const input: SizingInput = { ...base, ...s };
    const batch = batchAtRate(input, s.changesPerSecondPerShard);
    const at = sizing(input, batch);
    const full = sizing(input);
    const lanes = Math.round(full.laneChangesPerSecond * s.parallelizationFactor).toLocaleString("en-US");
    return `| ${s.name} | ${s.batchSize} / ${s.batchingWindowSeconds} s / ${s.parallelizationFactor} | ${s.changesPerSecondPerShard.toLocaleString("en-US")} | ${batch} | ≤ ${s.batchingWindowSeconds + refreshSeconds} s | ${Math.round(at.batchMs)} | ${Math.round(at.gbSecondsPerMillion)} | $${at.costPerMillionUsd.toFixed(4)} | ${lanes} |`;
  });
  return [
    `| ${firstColumn} | Batch size / window / parallelization | Changes/s per shard | Batch at that rate | Searchable within | Billed ms per batch | GB-s per million changes | Lambda cost per million changes | The function's ceiling per shard (changes/s) |`,
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ...rows,
  ];
}

/**
 * Ceilings in changes/s by shard count with the template's settings: the whole stream, and one table
 * keyed by primary key (spread over every shard and lane) or by `schema.table` (one shard, one lane).
 */
export function ceilingTable(input: SizingInput, shardCounts = [1, 2, 4, 8]): string[] {
  const s = sizing(input);
  const fmt = (n: number) => Math.round(n).toLocaleString("en-US");
  return [
    "| Shards | Stream | One table, primary-key keys | One table, `schema.table` keys |",
    "| --- | --- | --- | --- |",
    ...shardCounts.map(
      (n) =>
        `| ${n} | ${fmt(n * s.shardChangesPerSecond)} | ${fmt(n * s.shardChangesPerSecond)} | ${fmt(s.tableKeyedChangesPerSecond)} |`,
    ),
  ];
}
