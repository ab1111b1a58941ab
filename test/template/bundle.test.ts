/**
 * What `sam build` does with each function's esbuild Metadata, done here with esbuild itself: every
 * function bundles, and the bundle imports nothing but Node built-ins and the runtime-deps layer's
 * packages (anything else would be missing at run time in Lambda).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { build } from "esbuild";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../tools/lib/cfn-yaml";
import { esbuildOptions, type SamBuildProperties } from "../../tools/lib/sam-esbuild";
import { projectFiles } from "../helpers/project-files";

const template = loadTemplate("template.yaml");
const layer = Object.keys(
  (
    JSON.parse(readFileSync("layers/runtime-deps/package.json", "utf8")) as {
      dependencies: Record<string, string>;
    }
  ).dependencies,
);
const functions = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::Serverless::Function")
  .map(([id, r]) => ({ id, props: r.Metadata?.BuildProperties as SamBuildProperties }));

const allowed = (specifier: string) => {
  if (specifier.startsWith("node:") || builtinModules.includes(specifier)) return true;
  return layer.some((pkg) => specifier === pkg || specifier.startsWith(`${pkg}/`));
};

describe("esbuild bundles (sam build)", () => {
  it.each(functions)("$id bundles and imports only built-ins and layer packages", async ({ props }) => {
    const result = await build({ ...esbuildOptions(props), write: false, metafile: true });
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

/** Every typed error of the deployed code, found in the source: `class X extends <another error>`. */
function errorClasses(): { file: string; name: string }[] {
  const files = projectFiles().filter((f) => /^(functions|shared)\//.test(f) && f.endsWith(".ts"));
  return files.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/export class (\w+) extends (\w*Error|Error)\b/g)].map((m) => ({
      file,
      name: m[1] as string,
    })),
  );
}

describe("error names in the minified bundles", () => {
  it("every typed error keeps its class name after minification (logs and DLQ reasons name it)", async () => {
    const classes = errorClasses();
    expect(classes.map((c) => c.name)).toEqual(
      expect.arrayContaining(["PipelineError", "PermanentRecordError", "CoercionError", "ConfigError"]),
    );
    const indexer = functions.find((f) => f.id === "IndexerFunction")?.props as SamBuildProperties;
    const result = await build({
      stdin: {
        contents: classes.map((c) => `export { ${c.name} } from "./${c.file}";`).join("\n"),
        resolveDir: process.cwd(),
        loader: "ts",
      },
      bundle: true,
      write: false,
      platform: "node",
      format: indexer.Format,
      target: indexer.Target,
      minify: indexer.Minify,
      external: indexer.External,
      logLevel: "silent",
    });
    const dir = mkdtempSync(join(tmpdir(), "error-names-"));
    const file = join(dir, "errors.mjs");
    writeFileSync(file, result.outputFiles[0]?.text ?? "");
    const built = (await import(pathToFileURL(file).href)) as Record<string, new (...a: unknown[]) => Error>;
    rmSync(dir, { recursive: true, force: true });
    const names = classes.map((c) => {
      const cls = built[c.name];
      return cls ? Reflect.construct(cls, ["x", "y"]).name : "not exported";
    });
    expect(names).toEqual(classes.map((c) => c.name));
  });
});
