/**
 * What `npm run dms:settings` generates, from the one home of each setting (shared/dms-settings.ts,
 * shared/dms-table-mappings.ts over config/pipeline.yaml): the DMS settings for an endpoint and task made
 * outside this stack, and the generated literals of template.yaml.
 */
import { bundledMigrations } from "../../db/migrations/index";
import {
  DMS_KINESIS_SETTINGS,
  DMS_SOURCE_SETTINGS,
  dmsTaskSettings,
  type Partitioning,
} from "../../shared/dms-settings";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig, pipelineConfigDigest } from "../../shared/pipeline-config";

/** The settings a DMS source endpoint, Kinesis target endpoint and task need, as DMS's API takes them. */
export function dmsSettings(configYaml: string, partitioning?: Partitioning) {
  return {
    sourceEndpoint: { EngineName: "aurora-postgresql", PostgreSqlSettings: DMS_SOURCE_SETTINGS },
    targetEndpoint: { EngineName: "kinesis", KinesisSettings: DMS_KINESIS_SETTINGS },
    replicationTaskSettings: dmsTaskSettings(partitioning),
    tableMappings: dmsTableMappings(parsePipelineConfig(configYaml)),
  };
}

/**
 * The generated literals of template.yaml (one line each): the task's table mappings and its settings per
 * partitioning (DmsReplicationTask, DmsTaskStopForChange), the captured tables, their configured keys and
 * the bundled migrations that make the database bootstrap run again when they change (DatabaseBootstrap), and the routing
 * config's digest that does the same for the search bootstrap (SearchBootstrap).
 */
export function templateLiterals(
  configYaml: string,
  migrations: string[] = bundledMigrations.map((m) => m.file),
) {
  return {
    TableMappings: JSON.stringify(dmsSettings(configYaml).tableMappings),
    ReplicationTaskSettings: {
      "primary-key": JSON.stringify(dmsTaskSettings("primary-key")),
      "schema-table": JSON.stringify(dmsTaskSettings("schema-table")),
    },
    CapturedTables: parsePipelineConfig(configYaml)
      .tables()
      .map((t) => t.table)
      .join(","),
    TableKeys: JSON.stringify(
      Object.fromEntries(
        parsePipelineConfig(configYaml)
          .tables()
          .map((t) => [t.table, t.primaryKey ?? null]),
      ),
    ),
    Migrations: migrations.join(","),
    PipelineConfigDigest: pipelineConfigDigest(configYaml),
  };
}
