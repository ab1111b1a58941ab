/**
 * Freshness on the local stack under load, with the event-source settings of template.yaml: changes are
 * committed to `customers` at a steady rate (upserts of 10 rows per transaction: updates of existing rows
 * and new rows), and every 50th change is a probe whose path is timed: commit, arrival in Kinesis
 * (capture), read by the poller (stream), handed to the indexer (batching window), applied (indexing) and
 * searchable (the index's refresh interval). p50 and p99 of commit -> searchable at each rate are judged
 * against the batching window plus the refresh interval that bound them on a domain.
 */

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KinesisStreamRecord } from "aws-lambda";
import pg from "pg";
import { DEFAULT_INDEX_SETTINGS } from "../../shared/index-templates";
import { stopOnInterrupt } from "../lib/abandoned-postgres";
import { LocalStack } from "../local-stack/stack";
import { durationMs } from "../opensearch-emulator/settings";
import { percentile, type Result } from "./measure";

const REFRESH_INTERVAL_MS = durationMs(DEFAULT_INDEX_SETTINGS.refreshInterval);
const ROWS_PER_TRANSACTION = 10;
const PROBE_EVERY = 50;
const EXISTING_ROWS = 1_000;
const SEGMENTS = ["capture", "stream", "window", "indexing", "refresh"] as const;

type Probe = {
  committed?: number;
  arrival?: number;
  read?: number;
  invoked?: number;
  applied?: number;
  searchable?: number;
};

export async function freshnessBenchmarks(rates = [500, 2_000], seconds = 8): Promise<Result[]> {
  const probes = new Map<string, Probe>();
  const probeOf = (r: KinesisStreamRecord) => probes.get(r.kinesis.partitionKey);
  const stackDir = join(tmpdir(), `cdc-bench-stack-${process.pid}`);
  const forget = stopOnInterrupt(stackDir); // a Ctrl-C during the bench stops its PostgreSQL too
  const stack = await new LocalStack({
    ephemeral: true,
    fresh: true,
    dir: stackDir,
    indexPrefix: "bench-",
    producerApiPort: false,
    onRead: (records) => {
      const now = Date.now();
      for (const r of records) {
        const probe = probeOf(r);
        if (!probe) continue;
        probe.read ??= now;
        probe.arrival ??= r.kinesis.approximateArrivalTimestamp * 1000;
      }
    },
    wrapInvoke: (invoke) => async (event, context) => {
      const invoked = Date.now();
      const mine = event.Records.map(probeOf).filter((p): p is Probe => p !== undefined);
      for (const p of mine) p.invoked ??= invoked;
      const reply = await invoke(event, context);
      const applied = Date.now();
      for (const p of mine) p.applied ??= applied;
      return reply;
    },
  }).start();
  const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 8 });
  const index = stack.pipeline.routingFor("public", "customers").index;
  const boundMs = stack.poller.settings.batchingWindowMs + REFRESH_INTERVAL_MS;
  try {
    await pool.query(
      "INSERT INTO customers (id, name, email) SELECT g, 'seed', 'seed@example.com' FROM generate_series(1, $1) g",
      [EXISTING_ROWS],
    );
    const results: Result[] = [];
    let nextId = EXISTING_ROWS + 1;
    for (const rate of rates) {
      probes.clear();
      let sent = 0;
      const inFlight = new Set<Promise<void>>();
      const started = Date.now();
      // Committing: each tick sends the transactions that are due; every 50th change is a new row, a probe.
      while (Date.now() - started < seconds * 1000) {
        const due = Math.floor(((Date.now() - started) / 1000) * rate) - sent;
        for (let t = 0; t + ROWS_PER_TRANSACTION <= due; t += ROWS_PER_TRANSACTION) {
          const rows: [number, string][] = [];
          const mine: Probe[] = [];
          for (let i = 0; i < ROWS_PER_TRANSACTION; i++, sent++) {
            if (sent % PROBE_EVERY === 0) {
              const id = nextId++;
              const probe: Probe = {};
              probes.set(`public.customers.${id}`, probe);
              mine.push(probe);
              rows.push([id, `probe ${id}`]);
            } else if (sent % 10 < 3) rows.push([nextId++, "new"]);
            else rows.push([1 + ((sent * 7919) % EXISTING_ROWS), `update ${sent}`]);
          }
          const values = rows.map((_, i) => `($${2 * i + 1}, $${2 * i + 2}, 'b@example.com')`).join(", ");
          const write = pool
            .query(
              `INSERT INTO customers (id, name, email) VALUES ${values} ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
              rows.flat(),
            )
            .then(() => {
              const committed = Date.now();
              for (const p of mine) p.committed = committed;
            });
          inFlight.add(write);
          void write.finally(() => inFlight.delete(write));
        }
        await new Promise((r) => setTimeout(r, 5));
        await findSearchable(stack, index, probes);
      }
      await Promise.all(inFlight);
      const deadline = Date.now() + 60_000;
      while ([...probes.values()].some((p) => p.searchable === undefined)) {
        if (Date.now() > deadline) throw new Error(`probes at ${rate}/s never became searchable`);
        await new Promise((r) => setTimeout(r, 5));
        await findSearchable(stack, index, probes);
      }
      results.push(...summarize(rate, [...probes.values()], boundMs, sent / seconds));
    }
    return results;
  } finally {
    await pool.end();
    await stack.stop(2_000);
    forget();
    rmSync(stackDir, { recursive: true, force: true }); // its database: not left in /tmp
  }
}

/** One ids search for every probe applied but not yet seen: a search, so the refresh interval counts. */
async function findSearchable(stack: LocalStack, index: string, probes: Map<string, Probe>): Promise<void> {
  // Only probes the indexer has applied can be searchable: fewer ids, and no search while none is.
  const waiting = [...probes].filter(
    ([, p]) => p.committed !== undefined && p.applied !== undefined && p.searchable === undefined,
  );
  if (waiting.length === 0) return;
  const ids = waiting.map(([key]) => key.slice(key.lastIndexOf(".") + 1));
  const result = await stack.search.search(
    { index, body: { query: { ids: { values: ids } }, size: ids.length, _source: false } },
    { ignore: [404] },
  );
  const now = Date.now();
  const hits = (result.body as { hits?: { hits: { _id: string }[] } }).hits?.hits ?? [];
  for (const hit of hits) {
    const probe = probes.get(`public.customers.${hit._id}`);
    if (probe) probe.searchable ??= now;
  }
}

function summarize(rate: number, probes: Probe[], boundMs: number, achieved: number): Result[] {
  const total = probes.map((p) => (p.searchable as number) - (p.committed as number));
  const segment = (name: (typeof SEGMENTS)[number]) =>
    percentile(
      probes.map((p) => {
        const times = [p.committed, p.arrival, p.read, p.invoked, p.applied, p.searchable] as number[];
        const i = SEGMENTS.indexOf(name);
        return Math.max(0, (times[i + 1] ?? 0) - (times[i] ?? 0));
      }),
      50,
    );
  const medians = SEGMENTS.map(segment);
  const sum = medians.reduce((a, b) => a + b, 0) || 1;
  const shares = SEGMENTS.map(
    (name, i) => `${name} ${Math.round((100 * (medians[i] as number)) / sum)} %`,
  ).join(", ");
  const what = `commit -> searchable of ${probes.length} probes at ${Math.round(achieved)} changes/s`;
  return [
    {
      name: `freshness p50 @ ${rate}/s`,
      measure: `${what}, median / batching window + refresh interval; shares of the median path: ${shares}`,
      subject: percentile(total, 50),
      baseline: boundMs,
      unit: "ms",
      target: 1.3,
    },
    {
      name: `freshness p99 @ ${rate}/s`,
      measure: `${what}, p99 / batching window + refresh interval`,
      subject: percentile(total, 99),
      baseline: boundMs,
      unit: "ms",
      target: 2,
    },
  ];
}
