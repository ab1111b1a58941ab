/**
 * A template as one set of parameters deploys it: every `Fn::If` replaced by the branch its condition
 * chooses, `AWS::NoValue` removed, and resources and outputs whose condition is false dropped. Everything
 * else (Ref, GetAtt, Sub of resources) stays as it is. Rule packs that do not read through `Fn::If`
 * (cdk-nag skips a policy statement it cannot see) then check what each deployment really gets.
 */
import {
  parameterTypes,
  parameterValues,
  pseudoParameters,
  type ResolveContext,
  resolveValue,
} from "../lib/cfn-resolve";
import type { Template } from "../lib/cfn-yaml";

const REMOVED = Symbol("removed");

function contextOf(template: Template, parameters: Record<string, string>): ResolveContext {
  return {
    parameters: parameterValues(template, parameters),
    parameterTypes: parameterTypes(template),
    pseudo: pseudoParameters("eu-west-1"),
    conditions: (template as { Conditions?: Record<string, unknown> }).Conditions ?? {},
  };
}

/** Each condition of the template, as these parameters make it. */
export function conditionValues(
  template: Record<string, unknown>,
  parameters: Record<string, string>,
): Record<string, boolean> {
  const ctx = contextOf(template as Template, parameters);
  return Object.fromEntries(
    Object.keys(ctx.conditions).map((name) => [name, Boolean(resolveValue({ Condition: name }, ctx))]),
  );
}

export function specializeTemplate(
  template: Record<string, unknown>,
  parameters: Record<string, string>,
): Record<string, unknown> {
  const t = template as Template;
  const values = conditionValues(template, parameters);
  const holds = (name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`unknown condition ${name}`);
    return value;
  };
  const choose = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(choose).filter((v) => v !== REMOVED);
    if (value === null || typeof value !== "object") return value;
    const entries = Object.entries(value);
    if (entries.length === 1) {
      const [key, arg] = entries[0] as [string, unknown];
      if (key === "Ref" && arg === "AWS::NoValue") return REMOVED;
      if (key === "Fn::If") {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return choose(holds(condition) ? whenTrue : whenFalse);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) {
      const chosen = choose(v);
      if (chosen !== REMOVED) out[k] = chosen;
    }
    return out;
  };
  const kept = (section: unknown) =>
    Object.fromEntries(
      Object.entries((section ?? {}) as Record<string, { Condition?: string }>)
        .filter(([, item]) => item.Condition === undefined || holds(item.Condition))
        .map(([id, item]) => [id, choose(item)]),
    );
  return { ...template, Resources: kept(t.Resources), Outputs: kept(t.Outputs) };
}
