/**
 * `npm run dms:settings`: the DMS settings the pipeline needs, as JSON, generated from the one home of
 * each (shared/dms-settings.ts, shared/dms-table-mappings.ts over config/pipeline.yaml). For a DMS source
 * endpoint and task made outside this stack; the stack's own Kinesis target endpoint already uses them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DMS_KINESIS_SETTINGS, DMS_SOURCE_SETTINGS, dmsTaskSettings } from "../../shared/dms-settings";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { projectRoot } from "../lib/project-root";

export function dmsSettings(configYaml: string) {
  return {
    sourceEndpoint: { EngineName: "aurora-postgresql", PostgreSqlSettings: DMS_SOURCE_SETTINGS },
    targetEndpoint: { EngineName: "kinesis", KinesisSettings: DMS_KINESIS_SETTINGS },
    replicationTaskSettings: dmsTaskSettings(),
    tableMappings: dmsTableMappings(parsePipelineConfig(configYaml)),
  };
}

/** The task's two JSON properties as template.yaml holds them (one line each). */
export function templateLiterals(configYaml: string): {
  TableMappings: string;
  ReplicationTaskSettings: string;
} {
  const settings = dmsSettings(configYaml);
  return {
    TableMappings: JSON.stringify(settings.tableMappings),
    ReplicationTaskSettings: JSON.stringify(settings.replicationTaskSettings),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.env.PIPELINE_CONFIG ?? join(projectRoot(), "config", "pipeline.yaml");
  const yaml = readFileSync(path, "utf8");
  // --template: the literals for DmsReplicationTask and DmsTaskStopForChange in template.yaml.
  const out = process.argv.includes("--template") ? templateLiterals(yaml) : dmsSettings(yaml);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
