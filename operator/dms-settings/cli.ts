/**
 * `npm run dms:settings`: the DMS settings the pipeline needs, as JSON (generated-settings.ts), for a DMS
 * source endpoint and task made outside this stack (the stack's own Kinesis target endpoint already uses
 * them); `--write` / `--check` keep template.yaml's generated literals and db/migrations/index.ts in step.
 */

import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { bundledMigrations } from "../../db/migrations/index";
import { exitOnClosedPipe } from "../lib/closed-pipe";
import { commandArgs } from "../lib/command-args";
import { pipelineConfigPath } from "../lib/pipeline-config-path";
import { projectRoot } from "../lib/project-root";
import { dmsSettings, templateLiterals } from "./generated-settings";
import { migrationFiles, migrationsDir, migrationsIndexText } from "./migrations-index";
import { writeTemplateLiterals } from "./template-literals";

exitOnClosedPipe();

const USAGE = `usage: npm run dms:settings [-- --template | --write | --check]
  prints the DMS settings the pipeline needs as JSON (source and Kinesis target endpoint settings, task
  settings, table mappings from config/pipeline.yaml, or PIPELINE_CONFIG), for a DMS endpoint or task
  made outside this stack
  --template  the generated literals of template.yaml instead (DMS task, its stopper, the bootstraps)
  --write     writes those literals into template.yaml, and db/migrations/index.ts (the migrations the
              database bootstrap bundles) from the folder's files (after a change to
              config/pipeline.yaml or db/migrations; then sam build and sam deploy)
  --check     exits 1 when either lags, naming what to write`;

const { values: flags } = commandArgs(USAGE, {
  options: { template: { type: "boolean" }, write: { type: "boolean" }, check: { type: "boolean" } },
});
const path = pipelineConfigPath();
const yaml = readFileSync(path, "utf8");
if (flags.write || flags.check) {
  const root = projectRoot();
  const templatePath = join(root, "template.yaml");
  const files = migrationFiles(migrationsDir(root));
  const indexPath = join(migrationsDir(root), "index.ts");
  const indexText = migrationsIndexText(files);
  const indexLags = readFileSync(indexPath, "utf8") !== indexText;
  const { text, changed } = writeTemplateLiterals(
    readFileSync(templatePath, "utf8"),
    templateLiterals(yaml, files),
  );
  if (changed.length === 0 && !indexLags)
    console.log("template.yaml and db/migrations/index.ts are in step with the config and migrations");
  else if (flags.write) {
    if (indexLags) writeFileSync(indexPath, indexText);
    if (changed.length > 0) writeFileSync(templatePath, text);
    const wrote = [
      ...(indexLags ? ["db/migrations/index.ts"] : []),
      ...changed.map((c) => `template.yaml ${c}`),
    ];
    console.log(`wrote ${wrote.join(", ")}; now sam build and sam deploy`);
  } else {
    const bundled = new Set(bundledMigrations.map((m) => m.file));
    const left = files.filter((f) => !bundled.has(f));
    if (indexLags)
      console.error(
        `db/migrations/index.ts lags the folder${left.length > 0 ? ` (not bundled, so never run on a stage: ${left.join(", ")})` : ""}: npm run dms:settings -- --write`,
      );
    if (changed.length > 0)
      console.error(
        `template.yaml lags the config or migrations (${changed.join(", ")}): npm run dms:settings -- --write`,
      );
    process.exit(1);
  }
} else {
  const out = flags.template ? templateLiterals(yaml) : dmsSettings(yaml);
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
}
