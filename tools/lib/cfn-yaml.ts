/**
 * CloudFormation YAML: parses the short-form intrinsic tags (`!Ref`, `!GetAtt`, `!Sub`, …)
 * into their long form (`{ Ref: … }`, `{ "Fn::GetAtt": […] }`), so every consumer of the
 * template sees one representation.
 */
import { readFileSync } from "node:fs";
import { parse, type Tags } from "yaml";

const FN_TAGS = [
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAZs",
  "ImportValue",
  "Join",
  "Select",
  "Split",
  "Sub",
  "Transform",
  "And",
  "Equals",
  "If",
  "Not",
  "Or",
  "ToJsonString",
  "Length",
] as const;

function getAttFromScalar(value: string): [string, string] {
  const dot = value.indexOf(".");
  if (dot <= 0) throw new Error(`!GetAtt "${value}" must look like LogicalId.Attribute`);
  return [value.slice(0, dot), value.slice(dot + 1)];
}

export const cfnTags: Tags = [
  { tag: "!Ref", resolve: (value: string) => ({ Ref: value }) },
  { tag: "!Condition", resolve: (value: string) => ({ Condition: value }) },
  { tag: "!GetAtt", resolve: (value: string) => ({ "Fn::GetAtt": getAttFromScalar(value) }) },
  {
    tag: "!GetAtt",
    collection: "seq",
    resolve: (seq) => ({ "Fn::GetAtt": seq.toJSON() }),
  },
  ...FN_TAGS.flatMap((name) => [
    { tag: `!${name}`, resolve: (value: string) => ({ [`Fn::${name}`]: value }) },
    {
      tag: `!${name}`,
      collection: "seq" as const,
      resolve: (seq: { toJSON(): unknown }) => ({ [`Fn::${name}`]: seq.toJSON() }),
    },
    {
      tag: `!${name}`,
      collection: "map" as const,
      resolve: (map: { toJSON(): unknown }) => ({ [`Fn::${name}`]: map.toJSON() }),
    },
  ]),
];

export type Template = {
  AWSTemplateFormatVersion?: string;
  Transform?: string | string[];
  Description?: string;
  Parameters?: Record<string, { Type: string; Default?: unknown; AllowedValues?: unknown[] }>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Conditions?: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  Globals?: Record<string, Record<string, unknown>>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: unknown; Condition?: string }>;
};

export type Resource = {
  Type: string;
  Properties?: Record<string, unknown>;
  Metadata?: Record<string, unknown>;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
};

export function parseTemplate(text: string): Template {
  const doc = parse(text, { customTags: cfnTags, maxAliasCount: -1 }) as Template | null;
  if (!doc || typeof doc !== "object" || !doc.Resources) {
    throw new Error("template has no Resources section");
  }
  return doc;
}

export function loadTemplate(path: string): Template {
  return parseTemplate(readFileSync(path, "utf8"));
}
