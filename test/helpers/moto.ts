/**
 * moto's AWS API server (`moto_server`, on this machine image and CI's) on a free loopback port: a local
 * Secrets Manager for the services without another local stand-in. Each call gets its own server (its
 * state is in memory and ends with it).
 */
import { spawn } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { CloudFormationClient, CreateStackCommand } from "@aws-sdk/client-cloudformation";
import { readSamConfig } from "../../operator/lib/samconfig";
import { freePort } from "../../tools/local-stack/ports";

export async function startMoto(): Promise<{ endpoint: string; stop: () => Promise<void> }> {
  const port = await freePort();
  const child = spawn("moto_server", ["-H", "127.0.0.1", "-p", String(port)], { stdio: "ignore" });
  // Not installed: spawn's "error" (ENOENT), then "close" without "exit"; either ends the wait.
  let failed: Error | undefined;
  child.once("error", (error) => {
    failed = error;
  });
  const exited = new Promise<void>((done) => child.once("close", () => done()));
  const endpoint = `http://127.0.0.1:${port}`;
  for (const deadline = Date.now() + 30_000; ; await sleep(100)) {
    if (failed || child.exitCode !== null)
      throw new Error(
        "moto_server did not start (is moto installed? pip install 'moto[server]==5.2.*', README: Template checks)",
        { cause: failed },
      );
    if (Date.now() > deadline) throw new Error("moto_server did not answer within 30 s");
    try {
      if ((await fetch(`${endpoint}/moto-api/`)).ok) break;
    } catch {
      // not listening yet
    }
  }
  return {
    endpoint,
    stop: async () => {
      child.kill("SIGTERM");
      await exited;
    },
  };
}

/** moto's credentials: any pair is taken. */
export const MOTO_CREDENTIALS = { accessKeyId: "moto", secretAccessKey: "moto" };

/**
 * A deployed stage as the operator commands find it (`--config-env`): a stack named as samconfig.toml's
 * environment names it, in its region, with these outputs, in moto's CloudFormation.
 */
export async function stageStack(
  endpoint: string,
  configEnv: string,
  outputs: Record<string, string>,
): Promise<{ region: string; stackName: string }> {
  const deploy = readSamConfig("samconfig.toml", configEnv, "deploy");
  const region = String(deploy.region);
  const stackName = String(deploy.stack_name);
  const cloudformation = new CloudFormationClient({ region, endpoint, credentials: MOTO_CREDENTIALS });
  try {
    await cloudformation.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: JSON.stringify({
          Resources: { Topic: { Type: "AWS::SNS::Topic" } }, // a stack needs a resource
          Outputs: Object.fromEntries(Object.entries(outputs).map(([key, value]) => [key, { Value: value }])),
        }),
      }),
    );
  } finally {
    cloudformation.destroy();
  }
  return { region, stackName };
}
