import "./operator/lib/text-import-hook";
import { build } from "esbuild";
import { loadTemplate } from "./tools/lib/cfn-yaml";
import { esbuildOptions } from "./tools/lib/sam-esbuild";

const props = loadTemplate("template.yaml").Resources.IndexerFunction?.Metadata?.BuildProperties as never;
await build({ ...esbuildOptions(props), minify: false, outfile: "node_modules/.prof/indexer.mjs" });
await build({
  entryPoints: ["tools/bench/indexer-cpu-worker.ts"],
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node24",
  packages: "external",
  outfile: "node_modules/.prof/worker.mjs",
  logLevel: "silent",
});
