/** YAML files imported as text (esbuild `--loader:.yaml=text`; tools/lib/text-import-hook.ts locally). */
declare module "*.yaml" {
  const text: string;
  export default text;
}
