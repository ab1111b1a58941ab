/**
 * Which routing config a command reads: PIPELINE_CONFIG when set; else, for a command aimed at the
 * running local stack, the one that stack was started with (`PIPELINE_CONFIG=my.yaml npm start`, then
 * `npm run verify` in another terminal checks the tables of my.yaml, not of the default); else
 * config/pipeline.yaml, the one bundled into the indexer.
 */
import { existsSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { ConfigError } from "../../shared/errors";
import { type PipelineConfig, parsePipelineConfig } from "../../shared/pipeline-config";
import type { StackEndpoints } from "./local-stack-file";
import { projectRoot } from "./project-root";

export function pipelineConfigPath(stack?: Pick<StackEndpoints, "pipelineConfig">): string {
  const chosen = process.env.PIPELINE_CONFIG ?? stack?.pipelineConfig;
  return chosen ? resolve(chosen) : join(projectRoot(), "config", "pipeline.yaml");
}

/** The routing config at `path`, validated; a missing file is a ConfigError that names it. */
export function readPipelineConfig(path: string, indexPrefix?: string): PipelineConfig {
  if (!existsSync(path)) throw new ConfigError(`no routing config at ${path} (PIPELINE_CONFIG)`);
  return parsePipelineConfig(readFileSync(path, "utf8"), {
    ...(indexPrefix !== undefined && { indexPrefix }),
    source: path,
  });
}
