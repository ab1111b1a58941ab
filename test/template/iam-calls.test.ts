/**
 * Every AWS API call the deployed code can make is allowed by the IAM policy it runs under: each
 * function's bundle (as `sam build` makes it) against its role, and the operator commands a person runs
 * against a stage (redrive, verify, reload) against the stack's operator policy. The calls are the
 * commands each bundle imports from an `@aws-sdk/client-*` package, and each maps to its IAM action (`sqs:DeleteMessageBatch` is authorized as `sqs:DeleteMessage`,
 * `lambda:Invoke` as `lambda:InvokeFunction`). A call no policy allows shows up on AWS only, as an
 * AccessDenied, in the part of the code that makes it; aws-sdk-client-mock and the local stand-ins never
 * refuse one. With NetworkMode=endpoints (no NAT), a function in the VPC reaches only the services the
 * stack makes interface endpoints for: each service such a function's bundle calls must have one.
 */
import { type BuildOptions, build } from "esbuild";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../tools/lib/cfn-yaml";
import { esbuildOptions, type SamBuildProperties } from "../../tools/lib/sam-esbuild";

const template = loadTemplate("template.yaml");

/** The IAM service prefix of each AWS SDK client package the project uses. */
const SERVICE: Record<string, string | null> = {
  "@aws-sdk/client-sqs": "sqs",
  "@aws-sdk/client-kinesis": "kinesis",
  "@aws-sdk/client-database-migration-service": "dms",
  "@aws-sdk/client-rds": "rds",
  "@aws-sdk/client-secrets-manager": "secretsmanager",
  "@aws-sdk/client-cloudwatch": "cloudwatch",
  "@aws-sdk/client-lambda": "lambda",
  "@aws-sdk/client-cloudformation": "cloudformation",
  // What the default credential chain calls with a token it has, not with the role's credentials.
  "@aws-sdk/client-sts": null,
  "@aws-sdk/client-sso": null,
  "@aws-sdk/client-sso-oidc": null,
  "@aws-sdk/client-cognito-identity": null,
};

/** API operations IAM authorizes under another action's name. */
const AUTHORIZED_AS: Record<string, string> = {
  "sqs:DeleteMessageBatch": "sqs:DeleteMessage",
  "sqs:SendMessageBatch": "sqs:SendMessage",
  "sqs:ChangeMessageVisibilityBatch": "sqs:ChangeMessageVisibility",
  "lambda:Invoke": "lambda:InvokeFunction",
};

const MODULE_COMMENT = /^\s*\/\/ (?:\.\.\/)*(?:[^\s/]+\/)*node_modules\//m;
const SDK_COMMAND =
  /\/\/ (?:\.\.\/)*(?:[^\s/]+\/)*node_modules\/(@aws-sdk\/client-[a-z-]+)\/dist-[a-z]+\/commands\/(\w+)Command\.js/g;

/**
 * The IAM actions of the AWS SDK commands in a bundle. esbuild tree-shakes it and, unminified, names each
 * module it includes in a comment (`// node_modules/@aws-sdk/client-sqs/dist-es/commands/XCommand.js`):
 * those are exactly the commands its code can send (a shared module's unused functions are left out).
 */
async function callsOf(options: BuildOptions): Promise<string[]> {
  const result = await build({ ...options, minify: false, write: false, logLevel: "silent" });
  const text = (result.outputFiles ?? []).map((output) => output.text).join("\n");
  // The comments name node_modules from the working directory (through `../` when it is a link to another
  // folder's). None at all would mean their format changed, and every check here would pass on nothing.
  if (!MODULE_COMMENT.test(text))
    throw new Error("the bundle names no node_modules module: the comment format this test reads changed");
  const calls = new Set<string>();
  for (const m of text.matchAll(SDK_COMMAND)) {
    const service = SERVICE[m[1] as string];
    if (service === null) continue; // credential providers' own calls, not the role's
    if (!service) throw new Error(`${m[1]} has no IAM prefix in this test's SERVICE`);
    const operation = `${service}:${m[2]}`;
    calls.add(AUTHORIZED_AS[operation] ?? operation);
  }
  return [...calls].sort();
}

type Statement = { Effect?: string; Action?: string | string[] };
/** Every action a policy document's statements allow, with both branches of an `Fn::If`. */
function allowedActions(statements: unknown[]): string[] {
  return statements.flatMap((s): string[] => {
    if (s && typeof s === "object" && "Fn::If" in s) {
      const [, yes, no] = (s as { "Fn::If": unknown[] })["Fn::If"];
      return allowedActions([yes, no]);
    }
    const statement = s as Statement;
    if (statement?.Effect !== "Allow") return [];
    return [statement.Action ?? []].flat();
  });
}

const statementsOfPolicies = (policies: unknown[]): unknown[] =>
  policies.flatMap((p): unknown[] => {
    if (p && typeof p === "object" && "Fn::If" in p) {
      const [, yes, no] = (p as { "Fn::If": unknown[] })["Fn::If"];
      return statementsOfPolicies([yes, no]);
    }
    return ((p as { PolicyDocument?: { Statement?: unknown[] } })?.PolicyDocument?.Statement ??
      []) as unknown[];
  });

const grants = (allowed: string[], action: string) =>
  allowed.some((a) =>
    new RegExp(`^${a.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*")}$`, "i").test(action),
  );

const missing = (calls: string[], allowed: string[]) => calls.filter((action) => !grants(allowed, action));

const functions = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::Serverless::Function")
  .map(([id, r]) => {
    const role = (r.Properties as { Role?: unknown }).Role;
    // `!GetAtt XRole.Arn` (or either branch of an `!If` that names one).
    const roleId = JSON.stringify(role).match(
      /"Fn::GetAtt":\["?(\w+)"?,?"?Arn"?\]|"Fn::GetAtt":"(\w+)\.Arn"/,
    );
    return {
      id,
      inVpc: "VpcConfig" in (r.Properties as object),
      build: r.Metadata?.BuildProperties as SamBuildProperties,
      roleId: roleId?.[1] ?? roleId?.[2],
    };
  });

describe("IAM allows every AWS call the code makes", () => {
  it("reads the calls a bundle makes (the indexer's dead letters: SendMessageBatch, authorized as SendMessage)", async () => {
    const indexer = functions.find((f) => f.id === "IndexerFunction");
    expect(await callsOf(esbuildOptions(indexer?.build as SamBuildProperties))).toContain("sqs:SendMessage");
  });

  it.each(functions)(
    "$id: its role allows each call its bundle makes",
    async ({ id, build: props, roleId }) => {
      expect(roleId, `${id}'s role`).toBeDefined();
      const role = template.Resources[roleId as string];
      const allowed = allowedActions(
        statementsOfPolicies(((role?.Properties as { Policies?: unknown[] })?.Policies ?? []) as unknown[]),
      );
      const calls = await callsOf(esbuildOptions(props));
      expect(missing(calls, allowed)).toEqual([]);
    },
  );

  // With NetworkMode=endpoints the private subnets have no route out: a function in the VPC reaches an AWS
  // API only through an interface endpoint the stack creates.
  it.each(functions.filter((f) => f.inVpc))(
    "$id (in the VPC): each service its bundle calls has an endpoint when there is no NAT",
    async ({ build: props }) => {
      const endpoints = Object.values(template.Resources)
        .filter((r) => r.Type === "AWS::EC2::VPCEndpoint" && r.Condition === "CreateEndpoints")
        .map(
          (r) =>
            JSON.stringify((r.Properties as { ServiceName: unknown }).ServiceName).match(
              /\}\.([\w.-]+)"/,
            )?.[1],
        );
      const services = [
        ...new Set((await callsOf(esbuildOptions(props))).map((a) => a.split(":")[0] as string)),
      ];
      const endpointOf: Record<string, string> = {
        kinesis: "kinesis-streams",
        cloudwatch: "monitoring",
      };
      expect(services.filter((s) => !endpoints.includes(endpointOf[s] ?? s))).toEqual([]);
    },
  );

  it("the operator policy allows each call of redrive, verify and reload on a stage", async () => {
    const policy = template.Resources.RedriveOperatorPolicy?.Properties as {
      PolicyDocument: { Statement: unknown[] };
    };
    const allowed = allowedActions(policy.PolicyDocument.Statement);
    const calls = await callsOf({
      entryPoints: ["operator/redrive/cli.ts", "operator/verify/cli.ts", "operator/reload/cli.ts"],
      bundle: true,
      platform: "node",
      format: "esm",
      outdir: "unused",
      external: ["pg-native"],
      mainFields: ["module", "main"], // the SDK's ES modules, one file per command (as the functions')
      loader: { ".yaml": "text", ".sql": "text" },
    });
    expect(calls).toContain("sqs:ReceiveMessage");
    expect(missing(calls, allowed)).toEqual([]);
  });
});
