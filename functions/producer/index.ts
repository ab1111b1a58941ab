/**
 * Producer API Lambda (API Gateway HTTP API -> business_events through RDS Proxy). Wiring only:
 * settings, the pool, the store and the auto-starter are created once per container.
 */
import { LambdaClient } from "@aws-sdk/client-lambda";
import { createLogger, createMetrics } from "../../shared/observability";
import { createProducerHandler } from "./app";
import { createAutoStarter } from "./auto-start";
import { createPool } from "./database";
import { EventStore } from "./event-store";
import { loadProducerSettings } from "./settings";

const logger = createLogger("producer-api");
const metrics = createMetrics("producer-api");
const settings = loadProducerSettings(process.env);
const store = new EventStore(createPool(settings.database, logger));
const requestStart = createAutoStarter({
  lambda: new LambdaClient({ region: process.env.AWS_REGION }),
  functionName: settings.autoStart.functionName,
  cooldownMs: settings.autoStart.cooldownMs,
  logger,
});

export const handler = createProducerHandler({ settings, store, requestStart, logger, metrics });
