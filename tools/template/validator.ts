/**
 * Offline template validation (there is no `sam validate` or cfn-lint here):
 * - `sam-schema`: Globals and AWS::Serverless::* resources against the official SAM JSON schema;
 * - `cfn-spec`: other resources against the CloudFormation resource specification
 *   (type exists, property names exist, required properties present);
 * - `getatt`: every GetAtt (and `${X.Attr}` in Sub) names a real attribute of X's type;
 * - `ref`: every Ref / `${X}` names a parameter, resource, pseudo parameter or SAM-generated resource;
 * - `mapping`: every FindInMap names an existing mapping;
 * - `condition`: every condition used exists.
 */
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gunzipSync } from "node:zlib";
import { Ajv, type ErrorObject } from "ajv";
import type { Template } from "../lib/cfn-yaml";

export type CheckName = "sam-schema" | "cfn-spec" | "getatt" | "ref" | "mapping" | "condition";
export type Problem = { check: CheckName; path: string; message: string };

type SpecResource = {
  properties: Record<string, { required?: boolean }>;
  attributes: Record<string, unknown>;
};

const here = dirname(fileURLToPath(import.meta.url));
const PSEUDO = new Set([
  "AWS::AccountId",
  "AWS::NotificationARNs",
  "AWS::NoValue",
  "AWS::Partition",
  "AWS::Region",
  "AWS::StackId",
  "AWS::StackName",
  "AWS::URLSuffix",
]);

/** The CloudFormation type whose attributes a SAM resource exposes to GetAtt. */
const SAM_ATTRIBUTE_TYPES: Record<string, string> = {
  "AWS::Serverless::Function": "AWS::Lambda::Function",
  "AWS::Serverless::LayerVersion": "AWS::Lambda::LayerVersion",
  "AWS::Serverless::Api": "AWS::ApiGateway::RestApi",
  "AWS::Serverless::HttpApi": "AWS::ApiGatewayV2::Api",
  "AWS::Serverless::SimpleTable": "AWS::DynamoDB::Table",
  "AWS::Serverless::StateMachine": "AWS::StepFunctions::StateMachine",
  "AWS::Serverless::Application": "AWS::CloudFormation::Stack",
};

let specCache: Map<string, SpecResource> | undefined;
export function cfnSpec(): Map<string, SpecResource> {
  if (!specCache) {
    const require = createRequire(import.meta.url);
    const pkgDir = dirname(require.resolve("@aws-cdk/aws-service-spec/package.json"));
    const db = JSON.parse(gunzipSync(readFileSync(join(pkgDir, "db.json.gz"))).toString("utf8")) as {
      schema: { resource: { entities: Record<string, SpecResource & { cloudFormationType: string }> } };
    };
    specCache = new Map(Object.values(db.schema.resource.entities).map((r) => [r.cloudFormationType, r]));
  }
  return specCache;
}

type SamValidation = {
  ajv: Ajv;
  definitionByType: Map<string, string>;
  functionEventByType: Map<string, string>;
};
let samCache: SamValidation | undefined;
function samSchema(): SamValidation {
  if (!samCache) {
    // The schema declares draft-04, which Ajv 8 does not bundle a meta-schema for; the keywords it
    // uses validate the same under Ajv's default draft, so the meta-schema check is skipped.
    const { $schema: _draft, ...schema } = JSON.parse(
      readFileSync(join(here, "..", "schemas", "sam.schema.json"), "utf8"),
    ) as { $schema?: string; definitions: Record<string, { properties?: { Type?: { enum?: string[] } } }> };
    const ajv = new Ajv({ allErrors: true, strict: false, validateFormats: false, validateSchema: false });
    ajv.addSchema(schema, "sam");
    // Each SAM resource definition pins its Type with a one-value enum.
    const definitionByType = new Map<string, string>();
    for (const [name, def] of Object.entries(schema.definitions)) {
      const type = def.properties?.Type?.enum?.[0];
      if (name.endsWith("__Resource") && type) definitionByType.set(type, name);
    }
    // Function event definitions by event Type, so an event is checked against its own definition only
    // (the schema's anyOf over every event type otherwise reports every branch's complaints).
    const functionEventByType = new Map<string, string>();
    for (const [name, def] of Object.entries(schema.definitions)) {
      const type = def.properties?.Type?.enum;
      if (type?.length !== 1 || !name.endsWith("Event") || name.includes("statemachine")) continue;
      functionEventByType.set(type[0] as string, name);
    }
    samCache = { ajv, definitionByType, functionEventByType };
  }
  return samCache;
}

function formatAjv(errors: ErrorObject[] | null | undefined): string[] {
  return (errors ?? []).map((e) => {
    const extra =
      e.keyword === "additionalProperties"
        ? ` (unknown property "${(e.params as { additionalProperty: string }).additionalProperty}")`
        : "";
    return `${e.instancePath || "/"} ${e.message ?? e.keyword}${extra}`;
  });
}

function checkSamSchema(template: Template, problems: Problem[]): void {
  const { ajv, definitionByType, functionEventByType } = samSchema();
  if (template.Globals) {
    const validate = ajv.getSchema("sam#/definitions/__main____Globals");
    if (validate && !validate(template.Globals)) {
      for (const message of formatAjv(validate.errors))
        problems.push({ check: "sam-schema", path: "Globals", message });
    }
  }
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (!resource.Type.startsWith("AWS::Serverless::")) continue;
    const def = definitionByType.get(resource.Type);
    const validate = def ? ajv.getSchema(`sam#/definitions/${def}`) : undefined;
    if (!validate) {
      problems.push({
        check: "sam-schema",
        path: `Resources.${id}`,
        message: `unknown SAM type ${resource.Type}`,
      });
      continue;
    }
    const events =
      resource.Type === "AWS::Serverless::Function"
        ? (resource.Properties?.Events as Record<string, { Type?: string }> | undefined)
        : undefined;
    const checked = events ? { ...resource, Properties: { ...resource.Properties, Events: {} } } : resource;
    if (!validate(checked)) {
      for (const message of formatAjv(validate.errors)) {
        problems.push({ check: "sam-schema", path: `Resources.${id}`, message });
      }
    }
    for (const [name, event] of Object.entries(events ?? {})) {
      const path = `Resources.${id}.Properties.Events.${name}`;
      const eventDef = functionEventByType.get(String(event?.Type));
      if (!eventDef) {
        problems.push({ check: "sam-schema", path, message: `unknown event type ${String(event?.Type)}` });
        continue;
      }
      const validateEvent = ajv.getSchema(`sam#/definitions/${eventDef}`);
      if (validateEvent && !validateEvent(event)) {
        for (const message of formatAjv(validateEvent.errors))
          problems.push({ check: "sam-schema", path, message });
      }
    }
  }
}

function checkCfnSpec(template: Template, problems: Problem[]): void {
  const spec = cfnSpec();
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type.startsWith("AWS::Serverless::") || resource.Type.startsWith("Custom::")) continue;
    const path = `Resources.${id}`;
    const type = spec.get(resource.Type);
    if (!type) {
      problems.push({ check: "cfn-spec", path, message: `unknown resource type ${resource.Type}` });
      continue;
    }
    const props = resource.Properties ?? {};
    for (const name of Object.keys(props)) {
      if (!(name in type.properties)) {
        problems.push({
          check: "cfn-spec",
          path: `${path}.Properties`,
          message: `unknown property ${name} for ${resource.Type}`,
        });
      }
    }
    for (const [name, prop] of Object.entries(type.properties)) {
      if (prop.required && !(name in props)) {
        problems.push({
          check: "cfn-spec",
          path: `${path}.Properties`,
          message: `missing required property ${name}`,
        });
      }
    }
  }
}

/** Resources SAM generates from the template, so Ref/GetAtt to them is valid. */
function samGeneratedResources(template: Template): Map<string, string> {
  const out = new Map<string, string>();
  for (const [id, r] of Object.entries(template.Resources)) {
    if (r.Type !== "AWS::Serverless::Function") continue;
    if (!r.Properties?.Role) out.set(`${id}Role`, "AWS::IAM::Role");
    const events = (r.Properties?.Events ?? {}) as Record<
      string,
      { Type: string; Properties?: Record<string, unknown> }
    >;
    for (const event of Object.values(events)) {
      if (event.Type === "HttpApi" && !event.Properties?.ApiId)
        out.set("ServerlessHttpApi", "AWS::ApiGatewayV2::Api");
      if (event.Type === "Api" && !event.Properties?.RestApiId)
        out.set("ServerlessRestApi", "AWS::ApiGateway::RestApi");
    }
  }
  return out;
}

type Use =
  | { kind: "ref"; name: string; path: string }
  | { kind: "getatt"; id: string; attr: string; path: string }
  | { kind: "mapping"; name: string; path: string }
  | { kind: "condition"; name: string; path: string };

function collectUses(node: unknown, path: string, uses: Use[]): void {
  if (Array.isArray(node)) {
    node.forEach((item, i) => {
      collectUses(item, `${path}[${i}]`, uses);
    });
    return;
  }
  if (node === null || typeof node !== "object") return;
  for (const [key, value] of Object.entries(node)) {
    const here = `${path}.${key}`;
    if (key === "Ref" && typeof value === "string") uses.push({ kind: "ref", name: value, path: here });
    else if (key === "Fn::GetAtt") {
      const [id, ...rest] = Array.isArray(value) ? value : String(value).split(".");
      uses.push({ kind: "getatt", id: String(id), attr: rest.join("."), path: here });
    } else if (key === "Fn::Sub") {
      const [text, vars] =
        typeof value === "string" ? [value, {}] : (value as [string, Record<string, unknown>]);
      for (const m of String(text).matchAll(/\$\{([^!}][^}]*)\}/g)) {
        const expr = (m[1] as string).trim();
        if (vars && expr in vars) continue;
        const dot = expr.indexOf(".");
        if (dot > 0 && !expr.startsWith("AWS::")) {
          uses.push({ kind: "getatt", id: expr.slice(0, dot), attr: expr.slice(dot + 1), path: here });
        } else uses.push({ kind: "ref", name: expr, path: here });
      }
    } else if (key === "Fn::FindInMap" && Array.isArray(value) && typeof value[0] === "string") {
      uses.push({ kind: "mapping", name: value[0], path: here });
    } else if (key === "Fn::If" && Array.isArray(value) && typeof value[0] === "string") {
      uses.push({ kind: "condition", name: value[0], path: here });
    } else if (key === "Condition" && typeof value === "string") {
      uses.push({ kind: "condition", name: value, path: here });
    }
    collectUses(value, here, uses);
  }
}

function checkReferences(template: Template, problems: Problem[]): void {
  const spec = cfnSpec();
  const generated = samGeneratedResources(template);
  const parameters = new Set(Object.keys(template.Parameters ?? {}));
  const resourceType = (id: string): string | undefined => template.Resources[id]?.Type ?? generated.get(id);
  const uses: Use[] = [];
  // Resource-level Condition keys are collected by the walk too.
  collectUses(template.Resources, "Resources", uses);
  collectUses(template.Outputs ?? {}, "Outputs", uses);
  collectUses(template.Globals ?? {}, "Globals", uses);
  collectUses(template.Conditions ?? {}, "Conditions", uses);
  for (const use of uses) {
    switch (use.kind) {
      case "ref":
        if (!parameters.has(use.name) && !PSEUDO.has(use.name) && !resourceType(use.name)) {
          problems.push({ check: "ref", path: use.path, message: `Ref to unknown name ${use.name}` });
        }
        break;
      case "getatt": {
        const type = resourceType(use.id);
        if (!type) {
          problems.push({ check: "getatt", path: use.path, message: `GetAtt of unknown resource ${use.id}` });
          break;
        }
        // A custom resource's attributes are the Data its function answers with: any name.
        if (type.startsWith("Custom::") || type === "AWS::CloudFormation::CustomResource") break;
        const attrType = SAM_ATTRIBUTE_TYPES[type] ?? type;
        const attrs = spec.get(attrType)?.attributes ?? {};
        if (!(use.attr in attrs)) {
          problems.push({
            check: "getatt",
            path: use.path,
            message: `${use.id} (${type}) has no attribute ${use.attr}; known: ${Object.keys(attrs).join(", ")}`,
          });
        }
        break;
      }
      case "mapping":
        if (!template.Mappings?.[use.name]) {
          problems.push({
            check: "mapping",
            path: use.path,
            message: `FindInMap of unknown mapping ${use.name}`,
          });
        }
        break;
      case "condition":
        if (!template.Conditions?.[use.name]) {
          problems.push({ check: "condition", path: use.path, message: `unknown condition ${use.name}` });
        }
        break;
    }
  }
}

export function validateTemplate(template: Template): Problem[] {
  const problems: Problem[] = [];
  checkSamSchema(template, problems);
  checkCfnSpec(template, problems);
  checkReferences(template, problems);
  return problems;
}
