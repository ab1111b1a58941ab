/** Resolves one AWS::Serverless::Function of template.yaml into what a local run needs. */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { type ResolveContext, resolveValue, Unresolvable } from "./cfn-resolve";
import type { Template } from "./cfn-yaml";

export type LocalFunction = {
  logicalId: string;
  functionName: string;
  handlerFile: string;
  handlerExport: string;
  timeoutSeconds: number;
  memorySize: number;
  /** Environment from Globals and the function, resolved; null where the value only exists once deployed. */
  environment: Record<string, string | null>;
  properties: Record<string, unknown>;
  /** A value of the function's properties resolved (parameters, conditions); null where only AWS knows it. */
  resolve(value: unknown): unknown;
};

const HANDLER_EXTENSIONS = [".ts", ".mts", ".js", ".mjs", ".cjs"];

function tryResolve(value: unknown, ctx: ResolveContext): unknown {
  try {
    return resolveValue(value, ctx);
  } catch (error) {
    if (error instanceof Unresolvable) return null;
    throw error;
  }
}

export function localFunction(
  template: Template,
  logicalId: string,
  ctx: ResolveContext,
  root: string,
): LocalFunction {
  const resource = template.Resources[logicalId];
  if (!resource) {
    const names = Object.entries(template.Resources)
      .filter(([, r]) => r.Type === "AWS::Serverless::Function")
      .map(([id]) => id);
    throw new Error(`no function ${logicalId} in the template; functions: ${names.join(", ")}`);
  }
  if (resource.Type !== "AWS::Serverless::Function")
    throw new Error(`${logicalId} is a ${resource.Type}, not a function`);
  const globals = (template.Globals?.Function ?? {}) as Record<string, unknown>;
  const props = resource.Properties ?? {};
  const prop = (name: string): unknown => props[name] ?? globals[name];

  const handler = String(tryResolve(prop("Handler"), ctx));
  const dot = handler.lastIndexOf(".");
  if (dot <= 0) throw new Error(`${logicalId}: Handler "${handler}" must be file.export`);
  const codeUri = String(tryResolve(prop("CodeUri"), ctx) ?? ".");
  const base = resolve(root, codeUri, handler.slice(0, dot));
  const handlerFile = HANDLER_EXTENSIONS.map((ext) => base + ext).find((file) => existsSync(file));
  if (!handlerFile) throw new Error(`${logicalId}: no handler file ${base}{${HANDLER_EXTENSIONS.join(",")}}`);

  const envOf = (source: Record<string, unknown>) =>
    ((source.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables ?? {}) as Record<
      string,
      unknown
    >;
  const environment: Record<string, string | null> = {};
  for (const [key, value] of Object.entries({ ...envOf(globals), ...envOf(props) })) {
    const resolved = tryResolve(value, ctx);
    environment[key] = resolved === null || resolved === undefined ? null : String(resolved);
  }
  const functionName = tryResolve(props.FunctionName, ctx);
  return {
    logicalId,
    functionName: typeof functionName === "string" ? functionName : logicalId,
    handlerFile,
    handlerExport: handler.slice(dot + 1),
    timeoutSeconds: Number(tryResolve(prop("Timeout"), ctx) ?? 3),
    memorySize: Number(tryResolve(prop("MemorySize"), ctx) ?? 128),
    environment,
    properties: props,
    resolve: (value) => tryResolve(value, ctx),
  };
}
