/**
 * cdk-nag's AwsSolutions rules over the deployed template: template.yaml through the SAM transform
 * (sam_transform.py, aws-sam-translator), into CDK with CfnInclude. A finding is acknowledged only by
 * the resource's own `Metadata.cdk_nag.rules_to_suppress` (`{id, reason}`, cdk-nag v2's format, read here
 * and applied with CDK's Validations API as cdk-nag 3 expects).
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { App, Stack, Validations } from "aws-cdk-lib";
import { CfnInclude } from "aws-cdk-lib/cloudformation-include";
import { AwsSolutionsChecks } from "cdk-nag";
import { projectRoot } from "../../operator/lib/project-root";

export type Suppression = { id: string; reason: string };
export type NagFinding = { rule: string; resource: string };

/** template.yaml as plain CloudFormation (JSON), as `sam deploy` would submit it. */
export function samTransform(templatePath = join(projectRoot(), "template.yaml")): Record<string, unknown> {
  const out = execFileSync(
    "python3",
    [join(projectRoot(), "tools", "template", "sam_transform.py"), templatePath],
    {
      encoding: "utf8",
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return JSON.parse(out) as Record<string, unknown>;
}

/** The acknowledgements each resource of a template declares. */
export function suppressionsOf(template: Record<string, unknown>): Map<string, Suppression[]> {
  const resources = (template.Resources ?? {}) as Record<
    string,
    { Metadata?: { cdk_nag?: { rules_to_suppress?: Suppression[] } } }
  >;
  const found = new Map<string, Suppression[]>();
  for (const [id, resource] of Object.entries(resources)) {
    const rules = resource.Metadata?.cdk_nag?.rules_to_suppress;
    if (rules?.length) found.set(id, rules);
  }
  return found;
}

/** AwsSolutions findings not acknowledged by the template's own suppressions. */
export function nagFindings(template: Record<string, unknown>): NagFinding[] {
  // The template's file and the app's output folder, both removed once the rules have run.
  const dir = mkdtempSync(join(tmpdir(), "cdk-nag-"));
  try {
    const file = join(dir, "template.json");
    writeFileSync(file, JSON.stringify(template));
    const stack = new Stack(new App({ outdir: join(dir, "cdk.out") }), "Pipeline");
    const included = new CfnInclude(stack, "Template", { templateFile: file });
    for (const [id, rules] of suppressionsOf(template)) {
      const resource = included.getResource(id);
      for (const rule of rules) Validations.of(resource).acknowledge({ id: rule.id, reason: rule.reason });
    }
    const report = new AwsSolutionsChecks().validateScope(stack);
    return report.violations.flatMap((v) =>
      v.violatingResources.map((r) => ({
        rule: v.ruleName,
        resource: r.constructPath?.split("/").at(-1) ?? "?",
      })),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
