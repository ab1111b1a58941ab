/**
 * What `sam build` does with each function's esbuild Metadata, done here with esbuild itself: every
 * function bundles, and the bundle imports nothing but Node built-ins and the runtime-deps layer's
 * packages (anything else would be missing at run time in Lambda).
 */
import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

const template = loadTemplate("template.yaml");
const layer = Object.keys(
  (
    JSON.parse(readFileSync("layers/runtime-deps/package.json", "utf8")) as {
      dependencies: Record<string, string>;
    }
  ).dependencies,
);
type BuildProperties = {
  EntryPoints: string[];
  External: string[];
  Loader?: string[];
  Banner?: string[];
  Target: string;
  Format: "esm";
  Minify: boolean;
};
const functions = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::Serverless::Function")
  .map(([id, r]) => ({ id, props: r.Metadata?.BuildProperties as BuildProperties }));

const allowed = (specifier: string) => {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return true;
  return layer.some((pkg) => specifier === pkg || specifier.startsWith(`${pkg}/`));
};

describe("esbuild bundles (sam build)", () => {
  it.each(functions)("$id bundles and imports only built-ins and layer packages", async ({ props }) => {
    const result = await build({
      entryPoints: props.EntryPoints,
      bundle: true,
      write: false,
      platform: "node",
      format: props.Format,
      target: props.Target,
      minify: props.Minify,
      external: props.External,
      mainFields: ["module", "main"],
      loader: Object.fromEntries((props.Loader ?? []).map((l) => l.split("=") as [string, "text"])),
      banner: Object.fromEntries(
        (props.Banner ?? []).map((b) => [b.slice(0, b.indexOf("=")), b.slice(b.indexOf("=") + 1)]),
      ),
      metafile: true,
      logLevel: "silent",
    });
    expect(result.errors).toEqual([]);
    const imports = Object.values(result.metafile.outputs).flatMap((o) =>
      o.imports.filter((i) => i.external).map((i) => i.path),
    );
    expect(imports.filter((i) => !allowed(i))).toEqual([]);
    // Nothing from the layer was bundled a second time.
    const inputs = Object.keys(result.metafile.inputs);
    for (const pkg of layer)
      expect(
        inputs.some((i) => i.includes(`node_modules/${pkg}/`)),
        pkg,
      ).toBe(false);
  });
});
