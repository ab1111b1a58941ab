/**
 * The database bootstrap, a CloudFormation custom resource. On Create and Update it applies the
 * migrations and the CDC prerequisites (prerequisites.ts) as the cluster's master user; on Delete it does
 * nothing (dropping users or tables would destroy data another stack or person may depend on). Every run
 * is idempotent. It always answers CloudFormation: SUCCESS with what it did, or FAILED with the reason,
 * including when the database does not answer before the function's time runs out.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type pg from "pg";
import { z } from "zod";
import type { Respond } from "../../shared/cfn-response";
import { hostName, pgIdentifier, portNumber, secretArn } from "../../shared/connection-fields";
import { createSetUpResource } from "../../shared/custom-resource";
import type { TableMappings } from "../../shared/dms-table-mappings";
import { PipelineError } from "../../shared/errors";
import { applyMigrations, type Migration } from "../../shared/migrations";
import { namedColumnsOf } from "../../shared/named-columns";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { TABLE_NAME, TABLE_NAME_RULE } from "../../shared/table-name";
import { applyPrerequisites, type Login } from "./prerequisites";

export type Connection = { host: string; port: number; database: string } & Login;

export type BootstrapDeps = {
  /** `{username, password}` of a Secrets Manager secret. */
  readSecret: (arn: string) => Promise<Login>;
  /** A connected client (TLS verified in AWS). */
  connect: (connection: Connection) => Promise<pg.Client>;
  migrations: Migration[];
  /**
   * The routing config this deploy bundles (as the indexer does): the columns it names no migration may
   * rename, and those its tables lack are said in `ConfigNotes`.
   */
  pipeline: PipelineConfig;
  respond: Respond;
  logger: Pick<Logger, "info" | "warn" | "error">;
  /** Kept back from the function's deadline to answer CloudFormation. */
  marginMs?: number;
};

export class BootstrapError extends PipelineError {
  override name = "BootstrapError";
}

export /** A property holding JSON text, read as its value. */
const jsonText = z.string().transform((text, ctx) => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    ctx.addIssue({ code: "custom", message: "not JSON" });
    return z.NEVER;
  }
});

const bootstrapProperties = z.object({
  Host: hostName,
  Port: portNumber,
  Database: pgIdentifier,
  MasterSecretArn: secretArn,
  ProducerSecretArn: secretArn,
  DmsSecretArn: secretArn,
  /** Comma-separated `schema.table` list, generated from config/pipeline.yaml. */
  CapturedTables: z
    .string()
    .transform((s) => s.split(",").filter(Boolean))
    .pipe(z.array(z.string().regex(TABLE_NAME, TABLE_NAME_RULE)).min(1)),
  /** JSON: each captured table's key in config/pipeline.yaml (null: not configured), generated from it. */
  TableKeys: jsonText.pipe(z.record(z.string(), z.array(z.string()).nullable())).optional(),
  /** JSON: the DMS task's table mappings (the same generated literal): the columns it removes. */
  TableMappings: jsonText
    .pipe(z.object({ rules: z.array(z.looseObject({ "rule-type": z.string() })) }))
    .optional(),
  HeartbeatSchema: pgIdentifier.default("awsdms"),
  /** The bundled migration files; a new one changes this property, so CloudFormation runs an update. */
  Migrations: z.string().optional(),
  /** The bundled config's digest: any change of it reruns the bootstrap (ConfigNotes stay current). */
  PipelineConfigDigest: z.string().optional(),
});

const login = (secret: Login, what: string): Login => {
  const parsed = pgIdentifier.safeParse(secret.user);
  if (!parsed.success)
    throw new BootstrapError(
      "invalid_secret",
      `the ${what} secret's username is not ${parsed.error.issues[0]?.message}`,
    );
  return secret;
};

async function bootstrap(deps: BootstrapDeps, props: z.infer<typeof bootstrapProperties>) {
  const [master, producer, dms] = await Promise.all([
    deps.readSecret(props.MasterSecretArn),
    deps.readSecret(props.ProducerSecretArn),
    deps.readSecret(props.DmsSecretArn),
  ]);
  const client = await deps.connect({
    host: props.Host,
    port: props.Port,
    database: props.Database,
    ...master,
  });
  try {
    const applied = await applyMigrations(client, deps.migrations, {
      namedColumns: namedColumnsOf(deps.pipeline),
    });
    const report = await applyPrerequisites(client, {
      producer: login(producer, "producer"),
      dms: login(dms, "DMS"),
      capturedTables: props.CapturedTables,
      ...(props.TableKeys && { tableKeys: props.TableKeys }),
      ...(props.TableMappings && { tableMappings: props.TableMappings as TableMappings }),
      heartbeatSchema: props.HeartbeatSchema,
      pipeline: deps.pipeline,
      requireLogicalReplication: true,
    });
    return { applied, ...report };
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Rejects when the deadline passes first (the work is abandoned; the answer must still go out). */
function beforeDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new BootstrapError("timeout", `the database did not finish within ${Math.round(ms / 1000)} s`),
        ),
      ms,
    );
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createBootstrapHandler(deps: BootstrapDeps) {
  return createSetUpResource({
    what: "database bootstrap",
    leftOnDelete: "the database is left as it is",
    schema: bootstrapProperties,
    invalid: (message) => new BootstrapError("invalid_properties", message),
    respond: deps.respond,
    logger: deps.logger,
    run: async (props, context) => {
      const budget = context.getRemainingTimeInMillis() - (deps.marginMs ?? 10_000);
      const result = await beforeDeadline(bootstrap(deps, props), budget);
      deps.logger.info("database bootstrapped", { ...result });
      if (result.configNotes.length)
        deps.logger.warn("the routing config names columns its tables lack", { notes: result.configNotes });
      if (result.missing.length)
        deps.logger.warn(
          "captured tables missing from the database: no grants until a deploy after they exist",
          {
            missing: result.missing,
          },
        );
      return {
        physicalResourceId: `${props.Host}/${props.Database}`,
        data: {
          AppliedMigrations: result.applied.join(",") || "none",
          GrantedTables: result.granted.join(","),
          MissingTables: result.missing.join(",") || "none",
          ConfigNotes: result.configNotes.join("; ") || "none",
        },
      };
    },
  });
}
