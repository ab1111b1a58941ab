/**
 * `npm run dms:settings`: the DMS settings the pipeline needs, as JSON, generated from the one home of
 * each (shared/dms-settings.ts, shared/dms-table-mappings.ts over config/pipeline.yaml). For a DMS source
 * endpoint and task made outside this stack; the stack's own Kinesis target endpoint already uses them.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { DMS_KINESIS_SETTINGS, DMS_LOB_SETTINGS, DMS_SOURCE_SETTINGS } from "../../shared/dms-settings";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { projectRoot } from "../lib/project-root";

export function dmsSettings(configYaml: string) {
  return {
    sourceEndpoint: { EngineName: "aurora-postgresql", PostgreSqlSettings: DMS_SOURCE_SETTINGS },
    targetEndpoint: { EngineName: "kinesis", KinesisSettings: DMS_KINESIS_SETTINGS },
    replicationTaskSettings: {
      TargetMetadata: DMS_LOB_SETTINGS,
      // The old key of a row whose key changed, so the indexer can delete the old document.
      BeforeImageSettings: { EnableBeforeImage: true, FieldName: "before-image", ColumnFilter: "pk-only" },
    },
    tableMappings: dmsTableMappings(parsePipelineConfig(configYaml)),
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const path = process.env.PIPELINE_CONFIG ?? join(projectRoot(), "config", "pipeline.yaml");
  process.stdout.write(`${JSON.stringify(dmsSettings(readFileSync(path, "utf8")), null, 2)}\n`);
}
