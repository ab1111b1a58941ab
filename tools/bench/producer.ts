/**
 * Producer API benchmarks on embedded PostgreSQL, as many Lambda containers write: 8 concurrent clients,
 * each with a handler and a pool of its own (a container serves one request at a time), against 8
 * connections running the raw parameterized INSERT loop a user would otherwise write. Events/s for
 * `POST /events`, for `POST /events/batch` of 100, and for repeated (idempotent) posts; each round of the
 * subject alternates with a round of the baseline and the medians are compared.
 */

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import pg from "pg";
import { createProducerHandler } from "../../functions/producer/app";
import { createPool } from "../../functions/producer/database";
import { toRow } from "../../functions/producer/event-row";
import { EventStore } from "../../functions/producer/event-store";
import { loadProducerSettings } from "../../functions/producer/settings";
import { migrate } from "../../operator/db-migrate/migrations";
import { stopOnInterrupt } from "../lib/abandoned-postgres";
import { httpApiEvent } from "../lib/http-api-event";
import { createLambdaContext } from "../lib/lambda-context";
import { startEmbeddedPostgres } from "../local-stack/postgres";
import { percentile, type Result } from "./measure";

const CLIENTS = 8;
const BATCH = 100;

const event = (uuid: string) => ({
  eventHeader: { uuid, eventName: "LoanCreated", eventType: "LoanCreated", createdDate: 1_705_314_600_000 },
  eventBody: {
    entities: [
      {
        entityType: "Loan",
        entityId: "loan-456",
        updatedAttributes: { loan: { loanAmount: 50_000, status: "active" } },
      },
    ],
  },
});

const INSERT =
  "INSERT INTO business_events (id, event_name, event_type, created_date, saved_date, event_data) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO NOTHING";

/** Runs `perClient` calls on each of the clients at once; milliseconds of wall time per event. */
async function concurrently<C>(
  clients: C[],
  perClient: number,
  eventsPerCall: number,
  call: (client: C) => Promise<void>,
): Promise<number> {
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      for (let i = 0; i < perClient; i++) await call(client);
    }),
  );
  return (performance.now() - started) / (clients.length * perClient * eventsPerCall);
}

/** Medians of alternating rounds of subject and baseline (ms per event). */
async function alternate(
  rounds: number,
  subject: () => Promise<number>,
  baseline: () => Promise<number>,
): Promise<{ subject: number; baseline: number }> {
  await subject();
  await baseline();
  const s: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < rounds; i++) {
    s.push(await subject());
    b.push(await baseline());
  }
  return { subject: percentile(s, 50), baseline: percentile(b, 50) };
}

const perSecond = (msPerEvent: number) => Math.round(1000 / msPerEvent).toLocaleString("en-US");

export async function producerBenchmarks(rounds = 5): Promise<Result[]> {
  // Durable commits (fsync, synchronous_commit on), as on Aurora, where every commit waits for storage.
  const dir = join(tmpdir(), `cdc-bench-pg-${process.pid}`);
  const forget = stopOnInterrupt(dir); // a Ctrl-C during the bench stops the server too
  const server = await startEmbeddedPostgres({ dir, fresh: true });
  const pools: pg.Pool[] = [];
  const raw: pg.Client[] = [];
  try {
    await migrate(server.url, "db/migrations", []);
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    const settings = loadProducerSettings({ DATABASE_URL: server.url });
    const logger = new Logger({ serviceName: "bench", logLevel: "SILENT" });
    const context = createLambdaContext({
      functionName: "bench",
      timeoutSeconds: 30,
      memorySize: 512,
      region: "us-east-1",
    });
    // One handler and one pool per simulated container.
    const containers = Array.from({ length: CLIENTS }, () => {
      const pool = createPool(settings.database, logger);
      pools.push(pool);
      return createProducerHandler({
        settings,
        store: new EventStore(pool),
        requestStart: async () => "disabled",
        logger,
        metrics: new Metrics({ serviceName: "bench", namespace: "Bench" }),
      });
    });
    for (let i = 0; i < CLIENTS; i++) {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      raw.push(client);
    }
    type Handler = (typeof containers)[number];
    const post = async (handler: Handler, path: string, body: unknown, expected: number) => {
      const routeKey = `POST ${path}`;
      const request = { method: "POST", path, headers: { "content-type": "application/json" } };
      const res = (await handler(
        httpApiEvent({ ...request, body: JSON.stringify(body) }, { routeKey }),
        context,
      )) as { statusCode: number };
      if (res.statusCode !== expected)
        throw new Error(`${routeKey}: expected ${expected}, got ${res.statusCode}`);
    };
    let n = 0;
    const insertLoop = (perClient: number) =>
      concurrently(raw, perClient, 1, async (client) => {
        const row = toRow(event(`bench-sql-${n++}`));
        await client.query(INSERT, [
          row.id,
          row.eventName,
          row.eventType,
          row.createdDate,
          row.savedDate,
          JSON.stringify(row.eventData),
        ]);
      });

    const single = await alternate(
      rounds,
      () => concurrently(containers, 100, 1, (h) => post(h, "/events", event(`bench-api-${n++}`), 201)),
      () => insertLoop(100),
    );
    const batch = await alternate(
      rounds,
      () =>
        concurrently(containers, 2, BATCH, (h) =>
          post(
            h,
            "/events/batch",
            { events: Array.from({ length: BATCH }, () => event(`bench-batch-${n++}`)) },
            200,
          ),
        ),
      () => insertLoop(200),
    );
    const repeated = await alternate(
      rounds,
      () => concurrently(containers, 100, 1, (h) => post(h, "/events", event("bench-api-0"), 200)),
      () => insertLoop(100),
    );
    const row = (name: string, what: string, r: { subject: number; baseline: number }, target: number) => ({
      name,
      measure: `${what}, ${CLIENTS} concurrent clients: ${perSecond(r.subject)} events/s / raw pg INSERT loop ${perSecond(r.baseline)} events/s (ms per event)`,
      subject: r.subject,
      baseline: r.baseline,
      unit: "ms",
      target,
    });
    return [
      row("producer POST /events", "handler POST /events -> 201", single, 2.5),
      row("producer /events/batch", `handler POST /events/batch of ${BATCH} -> 200`, batch, 1),
      row("producer POST (repeat)", "handler POST of a stored event -> 200", repeated, 3.5),
    ];
  } finally {
    await Promise.all([...pools.map((p) => p.end()), ...raw.map((c) => c.end())]);
    await server.stop();
    forget();
    rmSync(dir, { recursive: true, force: true }); // a database per run: not left in /tmp
  }
}
