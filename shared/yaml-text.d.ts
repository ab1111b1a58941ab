/**
 * YAML and SQL files imported as text (esbuild `--loader:.yaml=text --loader:.sql=text` in the Lambda
 * bundles; operator/lib/text-import-hook.ts and vitest.config.ts locally).
 */
declare module "*.yaml" {
  const text: string;
  export default text;
}
declare module "*.sql" {
  const text: string;
  export default text;
}
