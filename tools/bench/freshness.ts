/**
 * Freshness on the local stack, with the event-source settings of template.yaml: the time from a
 * committed row to its document being searchable, against the batching window that bounds it.
 */

import pg from "pg";
import { DEFAULT_INDEX_SETTINGS } from "../../shared/index-templates";
import { LocalStack } from "../local-stack/stack";
import { durationMs } from "../opensearch-emulator/settings";
import { percentile, type Result } from "./measure";

/** The rendered templates' refresh_interval (1 s): searchable waits for the next refresh. */
const REFRESH_INTERVAL_MS = durationMs(DEFAULT_INDEX_SETTINGS.refreshInterval);

export async function freshnessBenchmarks(samples = 15): Promise<Result[]> {
  const stack = await new LocalStack({
    ephemeral: true,
    fresh: true,
    dir: `/tmp/cdc-bench-stack-${process.pid}`,
    indexPrefix: "bench-",
    producerApiPort: false,
  }).start();
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    const index = stack.pipeline.routingFor("public", "customers").index;
    const windowMs = stack.poller.settings.batchingWindowMs;
    const latencies: number[] = [];
    for (let i = 1; i <= samples; i++) {
      const started = performance.now();
      await db.query("INSERT INTO customers (id, name, email) VALUES ($1, $2, $3)", [
        i,
        `bench ${i}`,
        `b${i}@example.com`,
      ]);
      for (;;) {
        // A search, not a realtime get: searchable includes the index's refresh interval (1 s), as on a domain.
        const result = await stack.search.search(
          { index, body: { query: { ids: { values: [String(i)] } } } },
          { ignore: [404] },
        );
        const found = ((result.body as { hits?: { hits: unknown[] } }).hits?.hits.length ?? 0) > 0;
        if (found) break;
        if (performance.now() - started > 30_000) throw new Error(`row ${i} never became searchable`);
        await new Promise((r) => setTimeout(r, 5));
      }
      latencies.push(performance.now() - started);
    }
    // What bounds freshness on a domain: the event source's batching window plus the index's refresh.
    const boundMs = windowMs + REFRESH_INTERVAL_MS;
    return [
      {
        name: "freshness p50",
        measure: `commit -> searchable, median of ${samples} / batching window + refresh interval`,
        subject: percentile(latencies, 50),
        baseline: boundMs,
        unit: "ms",
        target: 1.3,
      },
      {
        name: "freshness p95",
        measure: `commit -> searchable, p95 of ${samples} / batching window + refresh interval`,
        subject: percentile(latencies, 95),
        baseline: boundMs,
        unit: "ms",
        target: 1.6,
      },
    ];
  } finally {
    await db.end();
    await stack.stop(2_000);
  }
}
