/**
 * Resolves CloudFormation intrinsic functions for local runs: parameters, pseudo parameters,
 * conditions, `Fn::Sub`, `Fn::If`, `Fn::Join`, … Anything that only exists once deployed
 * (a resource's physical id or attribute) resolves to `undefined` unless the caller supplies it.
 */
import type { Template } from "./cfn-yaml";

export type ResolveContext = {
  parameters: Record<string, string>;
  pseudo: Record<string, string>;
  conditions: Record<string, unknown>;
  /** Parameter types; a `List<…>` or `CommaDelimitedList` parameter's Ref is a list. */
  parameterTypes?: Record<string, string>;
  /** Physical ids / attributes known locally, keyed `LogicalId` or `LogicalId.Attribute`. */
  known?: Record<string, string>;
  /** The template's Mappings (Fn::FindInMap). */
  mappings?: Record<string, Record<string, Record<string, unknown>>>;
};

export class Unresolvable extends Error {
  override name = "Unresolvable";
}

const NO_VALUE = Symbol("AWS::NoValue");

export function pseudoParameters(region: string, accountId = "123456789012"): Record<string, string> {
  return {
    "AWS::Region": region,
    "AWS::AccountId": accountId,
    "AWS::Partition": "aws",
    "AWS::URLSuffix": "amazonaws.com",
    "AWS::StackName": "local",
    "AWS::StackId": `arn:aws:cloudformation:${region}:${accountId}:stack/local/00000000-0000-0000-0000-000000000000`,
    "AWS::NotificationARNs": "",
  };
}

/** Parameter values: template defaults, then samconfig overrides, then command-line overrides. */
export function parameterValues(
  template: Template,
  ...overrides: Record<string, string>[]
): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    if (spec.Default !== undefined) values[name] = String(spec.Default);
  }
  for (const layer of overrides) Object.assign(values, layer);
  return values;
}

export function parameterTypes(template: Template): Record<string, string> {
  return Object.fromEntries(
    Object.entries(template.Parameters ?? {}).map(([name, spec]) => [name, String(spec.Type)]),
  );
}

function refValue(name: string, ctx: ResolveContext): string | string[] {
  if (name in ctx.parameters) {
    const value = ctx.parameters[name] as string;
    const type = ctx.parameterTypes?.[name] ?? "";
    return type.startsWith("List<") || type === "CommaDelimitedList"
      ? value.split(",").filter(Boolean)
      : value;
  }
  if (name in ctx.pseudo) return ctx.pseudo[name] as string;
  const known = ctx.known?.[name];
  if (known !== undefined) return known;
  throw new Unresolvable(`!Ref ${name} has no local value`);
}

function evalCondition(name: string, ctx: ResolveContext, seen = new Set<string>()): boolean {
  if (seen.has(name)) throw new Error(`condition ${name} refers to itself`);
  if (!(name in ctx.conditions)) throw new Error(`unknown condition ${name}`);
  seen.add(name);
  return Boolean(resolveValue(ctx.conditions[name], ctx, seen));
}

function subString(template: string, vars: Record<string, unknown>, ctx: ResolveContext): string {
  return template.replace(/\$\{(!?)([^}]+)\}/g, (_whole, bang: string, expr: string) => {
    if (bang) return `\${${expr}}`;
    if (expr in vars) return String(vars[expr]);
    const dot = expr.indexOf(".");
    if (dot > 0 && !expr.startsWith("AWS::")) {
      const known = ctx.known?.[expr];
      if (known === undefined) throw new Unresolvable(`\${${expr}} has no local value`);
      return known;
    }
    return String(refValue(expr, ctx));
  });
}

export function resolveValue(value: unknown, ctx: ResolveContext, seen?: Set<string>): unknown {
  if (Array.isArray(value)) {
    return value.map((v) => resolveValue(v, ctx, seen)).filter((v) => v !== NO_VALUE);
  }
  if (value === null || typeof value !== "object") return value;
  const entries = Object.entries(value);
  if (entries.length === 1) {
    const [key, arg] = entries[0] as [string, unknown];
    switch (key) {
      case "Ref":
        if (arg === "AWS::NoValue") return NO_VALUE;
        return refValue(String(arg), ctx);
      case "Condition":
        return evalCondition(String(arg), ctx, seen);
      case "Fn::GetAtt": {
        const [id, attr] = Array.isArray(arg) ? arg : String(arg).split(".");
        const known = ctx.known?.[`${id}.${attr}`];
        if (known === undefined) throw new Unresolvable(`!GetAtt ${id}.${attr} has no local value`);
        return known;
      }
      case "Fn::Sub": {
        if (typeof arg === "string") return subString(arg, {}, ctx);
        const [text, vars] = arg as [string, Record<string, unknown>];
        const resolvedVars = Object.fromEntries(
          Object.entries(vars ?? {}).map(([k, v]) => [k, resolveValue(v, ctx, seen)]),
        );
        return subString(text, resolvedVars, ctx);
      }
      case "Fn::If": {
        const [cond, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return resolveValue(evalCondition(cond, ctx, seen) ? whenTrue : whenFalse, ctx, seen);
      }
      case "Fn::Equals": {
        const [a, b] = (arg as unknown[]).map((v) => resolveValue(v, ctx, seen));
        return String(a) === String(b);
      }
      case "Fn::Not":
        return !resolveValue((arg as unknown[])[0], ctx, seen);
      case "Fn::And":
        return (arg as unknown[]).every((v) => resolveValue(v, ctx, seen));
      case "Fn::Or":
        return (arg as unknown[]).some((v) => resolveValue(v, ctx, seen));
      case "Fn::Join": {
        const [sep, items] = arg as [string, unknown];
        return (resolveValue(items, ctx, seen) as unknown[]).join(sep);
      }
      case "Fn::Select": {
        const [index, items] = arg as [unknown, unknown];
        return (resolveValue(items, ctx, seen) as unknown[])[Number(resolveValue(index, ctx, seen))];
      }
      case "Fn::Split": {
        const [sep, text] = arg as [string, unknown];
        return String(resolveValue(text, ctx, seen)).split(sep);
      }
      case "Fn::FindInMap": {
        const [map, top, second] = (arg as unknown[]).map((a) => String(resolveValue(a, ctx, seen)));
        const value = ctx.mappings?.[map as string]?.[top as string]?.[second as string];
        if (value === undefined) throw new Unresolvable(`Fn::FindInMap ${map}.${top}.${second} has no value`);
        return value;
      }
      default:
        if (key.startsWith("Fn::")) throw new Unresolvable(`${key} has no local value`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const resolved = resolveValue(v, ctx, seen);
    if (resolved !== NO_VALUE) out[k] = resolved;
  }
  return out;
}
