/** template.yaml resolved for one stage's parameters, the way CloudFormation would (test helper). */
import { parameterTypes, parameterValues, pseudoParameters, resolveValue } from "../../tools/lib/cfn-resolve";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

export const template = loadTemplate("template.yaml");

/**
 * `known` gives chosen values to resource ids and attributes (`Res`, `Res.Attr`); any other resource
 * resolves to a readable placeholder `<Res>`.
 */
export function resolveStage(
  deployParams: Record<string, string>,
  known: Record<string, string>,
  overrides: Record<string, string>,
) {
  const ctx = {
    parameters: parameterValues(template, deployParams, overrides),
    pseudo: pseudoParameters("eu-west-1"),
    conditions: template.Conditions ?? {},
    parameterTypes: parameterTypes(template),
    mappings: template.Mappings,
    known: new Proxy(known, {
      get: (values, key: string) =>
        values[key] ?? (template.Resources[key.split(".")[0] as string] ? `<${key}>` : undefined),
    }),
  };
  const exists = (id: string) => {
    const condition = template.Resources[id]?.Condition;
    return condition === undefined || resolveValue({ Condition: condition }, ctx) === true;
  };
  const props = (id: string) =>
    // biome-ignore lint/suspicious/noExplicitAny: resolved CloudFormation properties are read freely in tests
    resolveValue(template.Resources[id]?.Properties ?? {}, ctx) as Record<string, any>;
  const resolve = (value: unknown) => resolveValue(value, ctx);
  return { exists, props, resolve };
}
