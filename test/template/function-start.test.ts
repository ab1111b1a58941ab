/**
 * Every function starts with exactly the environment the template gives it: its bundle (built as
 * `sam build` builds it) is imported in a fresh Node process whose environment is the template's
 * (Globals and the function's, resolved per stage, deployed resources standing in with values of their
 * real shape) plus what the Lambda runtime sets, nothing from the shell. A variable a function's settings
 * require that the template does not set, or a value they refuse, is an init error here instead of on
 * the first deploy (where a custom resource's function then never answers).
 */
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { freshBuildDir } from "../../tools/bench/build-dir";
import { esbuildOptions, type SamBuildProperties } from "../../tools/lib/sam-esbuild";
import { resolveStage, template } from "../helpers/template";

const run = promisify(execFile);
const DEPLOY = { VpcId: "vpc-0abc", PrivateSubnetIds: "subnet-1,subnet-2" };
/** Deployed resources' values, in the shape AWS gives them. */
const KNOWN: Record<string, string> = {
  "SearchDomain.DomainEndpoint": "vpc-cdc-dev-abc.eu-west-1.es.amazonaws.com",
  IndexerDlq: "https://sqs.eu-west-1.amazonaws.com/123456789012/cdc-indexer-dlq-dev",
  "ProducerDbProxy.Endpoint": "cdc-proxy-dev.proxy-abc.eu-west-1.rds.amazonaws.com",
  AuroraCluster: "cdc-aurora-dev",
  ProducerApi: "a1b2c3d4e5",
  AuroraAutoStartFunction: "cdc-aurora-auto-start-dev",
  "AuroraAutoStartFunction.Arn": "arn:aws:lambda:eu-west-1:123456789012:function:cdc-aurora-auto-start-dev",
  "AuroraCluster.Endpoint.Address": "cdc-aurora-prod.cluster-abc.eu-west-1.rds.amazonaws.com",
  "AuroraCluster.MasterUserSecret.SecretArn":
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-0a1b2c3d-AbCdEf",
  DmsDbSecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/prod/dms-db-AbCdEf",
  ProducerDbSecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/prod/producer-db-AbCdEf",
};
/** What the Lambda runtime sets for every function. */
const RUNTIME = {
  AWS_REGION: "eu-west-1",
  AWS_DEFAULT_REGION: "eu-west-1",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "example",
  AWS_SESSION_TOKEN: "example",
  AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "512",
  LAMBDA_TASK_ROOT: "/var/task",
  AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand",
};

const dir = freshBuildDir("function-start-test");
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const functions = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::Serverless::Function")
  .map(([id]) => id);
const bundles = new Map<string, Promise<string>>();
const bundleOf = (id: string) => {
  if (!bundles.has(id)) {
    const props = template.Resources[id]?.Metadata?.BuildProperties as SamBuildProperties;
    const outfile = join(dir, `${id}.mjs`);
    bundles.set(
      id,
      build({ ...esbuildOptions(props), outfile }).then(() => outfile),
    );
  }
  return bundles.get(id) as Promise<string>;
};

/** The function's environment on Lambda, for a stage. */
function environment(id: string, stageName: string): Record<string, string> {
  const stage = resolveStage(DEPLOY, KNOWN, { Stage: stageName });
  const globals = (template.Globals?.Function as { Environment?: { Variables?: object } } | undefined)
    ?.Environment?.Variables;
  const own = stage.props(id).Environment?.Variables ?? {};
  const values = { ...(stage.resolve(globals ?? {}) as Record<string, unknown>), ...own };
  const env: Record<string, string> = {
    ...RUNTIME,
    AWS_LAMBDA_FUNCTION_NAME: String(stage.props(id).FunctionName),
    PATH: process.env.PATH ?? "",
  };
  for (const [key, value] of Object.entries(values)) {
    expect(String(value), `${id} ${key}`).not.toMatch(/^<.*>$|<[A-Za-z.]+>/);
    env[key] = String(value);
  }
  return env;
}

describe("every function starts with the environment the template gives it", () => {
  // Each function in each stage it exists in (auto-start / auto-stop only outside production).
  const cases = functions.flatMap((id) =>
    ["dev", "prod"]
      .filter((stage) => resolveStage(DEPLOY, KNOWN, { Stage: stage }).exists(id))
      .map((stage) => [id, stage] as const),
  );
  it("covers every function", () => {
    expect(new Set(cases.map(([id]) => id))).toEqual(new Set(functions));
    expect(cases.length).toBeGreaterThan(functions.length);
  });
  it.each(cases)("%s in %s", async (id, stageName) => {
    const file = await bundleOf(id);
    const env = environment(id, stageName);
    // NODE_EXTRA_CA_CERTS names a file of the Lambda runtime: a missing one only warns.
    const started = await run(
      process.execPath,
      ["--input-type=module", "-e", `await import(${JSON.stringify(file)})`],
      {
        env,
        cwd: dir,
      },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (error: { code?: number; stderr?: string }) => ({
        code: error.code ?? 1,
        stderr: error.stderr ?? "",
      }),
    );
    expect(
      started.stderr.split("\n").filter((l) => /Error/.test(l)),
      id,
    ).toEqual([]);
    expect(started.code, started.stderr).toBe(0);
  });
});
