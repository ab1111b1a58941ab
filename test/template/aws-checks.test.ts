/**
 * The template through AWS's own tooling, as `sam validate --lint` and `sam deploy` would: cfn-lint, the
 * SAM transform (aws-sam-translator), and cdk-nag's AwsSolutions rules over the transformed template,
 * with acknowledgements only in a resource's Metadata and only with a reason.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { nagFindings, samTransform, suppressionsOf } from "../../tools/template/nag";
import { conditionValues, specializeTemplate } from "../../tools/template/specialize";

const INSTALL = "pip install 'cfn-lint==1.51.*' 'aws-sam-translator==1.110.*' (Python 3.11)";

/** Runs a tool; a missing tool fails with what to install, never skips. */
function run(command: string, args: string[]): { code: number; output: string } {
  try {
    return { code: 0, output: execFileSync(command, args, { encoding: "utf8", stdio: "pipe" }) };
  } catch (error) {
    const e = error as { code?: string | number; status?: number; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw new Error(`${command} is not installed: ${INSTALL}`);
    return { code: e.status ?? 1, output: `${e.stdout ?? ""}${e.stderr ?? ""}` };
  }
}

describe("AWS template checks", () => {
  it("cfn-lint finds nothing in template.yaml, and does find a broken copy", () => {
    const clean = run("cfn-lint", ["template.yaml"]);
    expect(clean.output).toBe("");
    expect(clean.code).toBe(0);
    const broken = join(mkdtempSync(join(tmpdir(), "lint-")), "template.yaml");
    writeFileSync(
      broken,
      readFileSync("template.yaml", "utf8").replace(
        "RetentionPeriodHours: !If [IsProd, 168, 24]",
        "RetentionPeriodHours: twelve",
      ),
    );
    const lint = run("cfn-lint", [broken]);
    rmSync(dirname(broken), { recursive: true, force: true });
    expect(lint.code).not.toBe(0);
  });

  const transformed = (() => {
    try {
      return samTransform();
    } catch (error) {
      const message = (error as { stderr?: string }).stderr ?? (error as Error).message;
      throw new Error(
        /No module named/.test(message) ? `aws-sam-translator is not installed: ${INSTALL}` : message,
      );
    }
  })();
  const resources = transformed.Resources as Record<string, { Type: string }>;

  it("the SAM transform turns it into plain CloudFormation", () => {
    const types = new Set(Object.values(resources).map((r) => r.Type));
    expect([...types].filter((t) => t.startsWith("AWS::Serverless::"))).toEqual([]);
    expect(types).toContain("AWS::Lambda::Function");
    expect(types).toContain("AWS::Lambda::EventSourceMapping");
  });

  it("cdk-nag AwsSolutions: no finding left that the template does not acknowledge with a reason", () => {
    expect(nagFindings(transformed)).toEqual([]);
  });

  // cdk-nag does not read through Fn::If (a policy statement inside one is not checked): the template as
  // each of these parameter sets deploys it, which between them take every condition both ways.
  const network = { VpcId: "vpc-1", PrivateSubnetIds: "subnet-1,subnet-2" };
  const deployments: Record<string, Record<string, string>> = {
    "dev, defaults": network,
    "prod, every option on": {
      ...network,
      Stage: "prod",
      NetworkMode: "endpoints",
      PrivateRouteTableIds: "rtb-1",
      CreateDmsAccountRoles: "true",
      CreateOpenSearchServiceLinkedRole: "true",
      AlarmEmail: "ops@example.com",
      OpenSearchOperatorRoleArns: "arn:aws:iam::123456789012:role/ops",
      ApiAuth: "jwt",
      JwtIssuer: "https://issuer.example.com",
      JwtAudience: "cdc",
      DmsMigrationType: "cdc",
      DmsCdcStartPosition: "2026-12-01T00:00:00",
      DmsPartitioning: "schema-table",
    },
    "staging, reused cluster and domain": {
      ...network,
      Stage: "staging",
      ExistingDbClusterIdentifier: "legacy",
      ExistingDbClusterSecurityGroupId: "sg-1",
      ExistingDbClusterEndpoint: "legacy.cluster-x.eu-west-1.rds.amazonaws.com",
      ExistingDbMasterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:master",
      ExistingOpenSearchEndpoint: "https://vpc-legacy.eu-west-1.es.amazonaws.com",
      ExistingOpenSearchDomainArn: "arn:aws:es:eu-west-1:123456789012:domain/legacy",
      ExistingOpenSearchSecurityGroupId: "sg-2",
      ExistingOpenSearchMasterRoleArn: "arn:aws:iam::123456789012:role/legacy-master",
    },
  };
  const specialized = Object.entries(deployments).map(
    ([name, parameters]) => [name, specializeTemplate(transformed, parameters)] as const,
  );

  it("the parameter sets take every condition both ways", () => {
    const conditions = Object.keys(transformed.Conditions as object);
    const seen = new Map(conditions.map((c) => [c, new Set<boolean>()]));
    for (const parameters of Object.values(deployments))
      for (const [condition, holds] of Object.entries(conditionValues(transformed, parameters)))
        seen.get(condition)?.add(holds);
    expect([...seen].filter(([, values]) => values.size < 2).map(([c]) => c)).toEqual([]);
  });

  it.each(specialized)(
    "cdk-nag AwsSolutions on %s: nothing unacknowledged, Fn::If resolved",
    (_name, template) => {
      expect(JSON.stringify(template.Resources)).not.toContain('"Fn::If":');
      expect(nagFindings(template)).toEqual([]);
    },
  );

  it("every acknowledgement is specific, explained and still needed", () => {
    const suppressions = suppressionsOf(transformed);
    expect(suppressions.size).toBeGreaterThan(0);
    const raw = new Set<string>();
    for (const template of [transformed, ...specialized.map(([, t]) => t)]) {
      const stripped = structuredClone(template) as { Resources: Record<string, { Metadata?: unknown }> };
      for (const r of Object.values(stripped.Resources)) delete r.Metadata;
      for (const f of nagFindings(stripped)) raw.add(`${f.resource} ${f.rule}`);
    }
    for (const [resource, rules] of suppressions)
      for (const rule of rules) {
        expect(rule.reason.length, `${resource} ${rule.id}: reason`).toBeGreaterThanOrEqual(60);
        expect(rule.id, `${resource}: acknowledge one finding, not a whole rule family`).not.toMatch(
          /^AwsSolutions-IAM5$/,
        );
        expect(raw.has(`${resource} ${rule.id}`), `${resource} ${rule.id} acknowledges nothing`).toBe(true);
      }
  });
});
