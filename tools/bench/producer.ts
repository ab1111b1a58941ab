/**
 * Producer API benchmarks on embedded PostgreSQL: a POST through the whole handler (middy, validation,
 * idempotent insert) against the bare parameterized INSERT of the same row, for new and repeated events.
 */
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import { createProducerHandler } from "../../functions/producer/app";
import { createPool } from "../../functions/producer/database";
import { toRow } from "../../functions/producer/event-row";
import { EventStore } from "../../functions/producer/event-store";
import { loadProducerSettings } from "../../functions/producer/settings";
import { migrate } from "../../operator/db-migrate/migrations";
import { httpApiEvent } from "../lib/http-api-event";
import { createLambdaContext } from "../lib/lambda-context";
import { startEmbeddedPostgres } from "../local-stack/postgres";
import { compare, type Result } from "./measure";

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

export async function producerBenchmarks(): Promise<Result[]> {
  const server = await startEmbeddedPostgres({
    dir: `/tmp/cdc-bench-pg-${process.pid}`,
    fresh: true,
    fast: true,
  });
  try {
    await migrate(server.url, "db/migrations");
    process.env.POWERTOOLS_METRICS_DISABLED = "true";
    const settings = loadProducerSettings({ DATABASE_URL: server.url });
    const logger = new Logger({ serviceName: "bench", logLevel: "SILENT" });
    const pool = createPool(settings.database, logger);
    const handler = createProducerHandler({
      settings,
      store: new EventStore(pool),
      requestStart: async () => "disabled",
      logger,
      metrics: new Metrics({ serviceName: "bench", namespace: "Bench" }),
    });
    const context = createLambdaContext({
      functionName: "bench",
      timeoutSeconds: 30,
      memorySize: 512,
      region: "us-east-1",
    });
    const post = (uuid: string) =>
      handler(
        httpApiEvent(
          {
            method: "POST",
            path: "/events",
            headers: { "content-type": "application/json" },
            body: JSON.stringify(event(uuid)),
          },
          { routeKey: "POST /events" },
        ),
        context,
      ) as Promise<{ statusCode: number }>;
    const insert = (uuid: string) => {
      const row = toRow(event(uuid));
      return pool.query(
        "INSERT INTO business_events (id, event_name, event_type, created_date, saved_date, event_data) VALUES ($1, $2, $3, $4, $5, $6::jsonb) ON CONFLICT (id) DO NOTHING",
        [row.id, row.eventName, row.eventType, row.createdDate, row.savedDate, JSON.stringify(row.eventData)],
      );
    };

    let n = 0;
    const created = await compare(
      500,
      async () => {
        const res = await post(`bench-api-${n++}`);
        if (res.statusCode !== 201) throw new Error(`expected 201, got ${res.statusCode}`);
      },
      () => insert(`bench-sql-${n++}`),
    );
    const repeated = await compare(
      500,
      async () => {
        const res = await post("bench-api-0");
        if (res.statusCode !== 200) throw new Error(`expected 200, got ${res.statusCode}`);
      },
      () => insert(`bench-sql-${n++}`),
    );
    await pool.end();
    return [
      {
        name: "producer POST (new event)",
        measure: "handler POST /events -> 201 / bare INSERT of the row",
        subject: created.subject,
        baseline: created.baseline,
        unit: "ms",
        target: 2.5,
      },
      {
        name: "producer POST (repeat)",
        measure: "handler POST of a stored event -> 200 / bare INSERT",
        subject: repeated.subject,
        baseline: repeated.baseline,
        unit: "ms",
        target: 3.5,
      },
    ];
  } finally {
    await server.stop();
  }
}
