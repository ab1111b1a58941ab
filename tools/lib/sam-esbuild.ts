/** esbuild options from a function's SAM `BuildProperties`, as `sam build` passes them to esbuild. */
import type { BuildOptions } from "esbuild";

export type SamBuildProperties = {
  EntryPoints: string[];
  External?: string[];
  Loader?: string[];
  Banner?: string[];
  Target: string;
  Format: "esm";
  Minify: boolean;
};

export function esbuildOptions(props: SamBuildProperties): BuildOptions {
  return {
    entryPoints: props.EntryPoints,
    bundle: true,
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
    logLevel: "silent",
  };
}
