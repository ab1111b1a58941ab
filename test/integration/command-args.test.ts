/**
 * Every command reads its arguments the same way (operator/lib/command-args.ts): an option it does not
 * know is refused with the usage and exit code 2, never ignored; `--help` prints the usage and exits 0.
 * Run as a person runs them, through npm.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";
import { projectCopy } from "../helpers/project-copy";

const COMMANDS = [
  "start",
  "invoke",
  "verify",
  "reload",
  "redrive",
  "dms:settings",
  "demo",
  "db:migrate",
  "events",
  "opensearch:emulator",
  "bench",
];

describe("command arguments", () => {
  it.concurrent.each(COMMANDS)(
    "npm run %s refuses an unknown option with its usage (exit 2)",
    async (command) => {
      const { code, stderr } = await npmRun(command, ["--no-such-option"]);
      expect(code).toBe(2);
      expect(stderr).toContain("--no-such-option");
      expect(stderr).toContain("usage: ");
    },
  );

  it.concurrent.each([
    ["verify", [], "verify: "],
    ["reload", ["public.orders"], "reload: connect ECONNREFUSED"],
    ["redrive", ["--dry-run"], "redrive: connect ECONNREFUSED"],
    ["demo", [], "demo failed: connect ECONNREFUSED"],
  ])(
    "npm run %s against a stack whose parts do not answer says so in one line",
    async (command, args, said) => {
      const dir = mkdtempSync(join(tmpdir(), "cdc-dead-stack-"));
      // A running stack's file (this process is alive) whose ports nothing listens on.
      writeFileSync(
        join(dir, "stack.json"),
        JSON.stringify({
          pid: process.pid,
          databaseUrl: "postgres://postgres:pw@127.0.0.1:1/postgres",
          opensearchUrl: "http://127.0.0.1:9",
          indexPrefix: "local-",
          kinesisEndpoint: "http://127.0.0.1:8",
          streamArn: "arn:aws:kinesis:us-east-1:000000000000:stream/cdc-stream-local",
          sqsEndpoint: "http://127.0.0.1:7",
          dlqUrl: "http://sqs.us-east-1.localhost:7/000000000000/cdc-indexer-dlq-local",
        }),
      );
      const { code, stdout, stderr } = await npmRun(command, args, { LOCAL_STACK_DIR: dir }, 120_000);
      rmSync(dir, { recursive: true, force: true });
      expect(code).not.toBe(0);
      expect(stdout + stderr).toContain(said);
      expect(stdout + stderr).not.toMatch(/^\s+at /m); // no stack trace
    },
  );

  it.concurrent.each(["verify", "redrive", "reload"])(
    "npm run %s -- --config-env dev without AWS credentials says so and exits 2",
    async (command) => {
      const noCredentials = {
        AWS_ACCESS_KEY_ID: undefined,
        AWS_SECRET_ACCESS_KEY: undefined,
        AWS_SESSION_TOKEN: undefined,
        AWS_PROFILE: undefined,
        AWS_WEB_IDENTITY_TOKEN_FILE: undefined,
        AWS_CONTAINER_CREDENTIALS_FULL_URI: undefined,
        AWS_CONTAINER_CREDENTIALS_RELATIVE_URI: undefined,
        AWS_CONFIG_FILE: "/nonexistent/aws-config",
        AWS_SHARED_CREDENTIALS_FILE: "/nonexistent/aws-credentials",
        AWS_EC2_METADATA_DISABLED: "true",
      };
      const args = command === "reload" ? ["--config-env", "dev", "public.orders"] : ["--config-env", "dev"];
      const { code, stderr } = await npmRun(command, args, noCredentials);
      expect(stderr).toContain(`${command}: cannot read stack cdc-pipeline-dev`);
      expect(stderr).toContain("no AWS credentials: set AWS_PROFILE");
      expect(code).toBe(2);
    },
  );

  it("npm start with a broken routing config names the mistake before starting anything", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cdc-badconfig-"));
    writeFileSync(
      join(dir, "pipeline.yaml"),
      "tables:\n  public.orders: {primaryKey: [id], columns: {a: nubmer}}\n",
    );
    const env = { PIPELINE_CONFIG: join(dir, "pipeline.yaml"), LOCAL_STACK_DIR: join(dir, "stack") };
    const { code, stderr, stdout } = await npmRun("start", [], env);
    expect(code).toBe(1);
    expect(`${stdout}${stderr}`).toContain('tables.public.orders.columns.a: unknown type "nubmer"');
    expect(existsSync(join(dir, "stack", "postgres"))).toBe(false); // nothing was started
    const missing = await npmRun("start", [], { ...env, PIPELINE_CONFIG: join(dir, "absent.yaml") });
    expect(`${missing.stdout}${missing.stderr}`).toContain(
      `no routing config at ${join(dir, "absent.yaml")}`,
    );
    rmSync(dir, { recursive: true, force: true });
  });

  it.concurrent.each(COMMANDS)("npm run %s -- --help prints its usage and exits 0", async (command) => {
    const { code, stdout } = await npmRun(command, ["--help"]);
    expect(stdout).toMatch(/^usage: npm (run )?/);
    expect(code).toBe(0);
  });
});

// A project in `~/My Projects/søk` is a file: URL with %20 and %C3%B8 in it: a command that compares its
// own URL with its path (a main-module check written by hand) does nothing there, and exits 0.
describe("commands in a project whose path has a space and a non-ASCII letter", () => {
  let copy: ReturnType<typeof projectCopy>;
  beforeAll(() => {
    copy = projectCopy();
  });
  afterAll(() => copy.remove());

  it.concurrent.each(COMMANDS)("npm run %s -- --help prints its usage and exits 0", async (command) => {
    const { code, stdout } = await npmRun(command, ["--help"], {}, 60_000, copy.dir);
    expect(stdout).toMatch(/^usage: npm (run )?/);
    expect(code).toBe(0);
  });

  it("npm run dms:settings does its work there: --check, the settings, --write", async () => {
    const check = await npmRun("dms:settings", ["--check"], {}, 60_000, copy.dir);
    expect(check.stdout).toContain("template.yaml and db/migrations/index.ts are in step");
    expect(check.code).toBe(0);
    const settings = await npmRun("dms:settings", [], {}, 60_000, copy.dir);
    expect(JSON.parse(settings.stdout)).toHaveProperty("tableMappings.rules");
    // A table added to the config: the template lags it until --write, which writes the copy's template.
    const config = join(copy.dir, "config", "pipeline.yaml");
    const yaml = readFileSync(config, "utf8");
    expect(yaml).toContain("\nroutes:");
    writeFileSync(config, yaml.replace("\nroutes:", "\n  public.extra:\n    primaryKey: [id]\nroutes:"));
    const lags = await npmRun("dms:settings", ["--check"], {}, 60_000, copy.dir);
    expect(lags.stderr).toContain("template.yaml lags the config or migrations");
    expect(lags.code).toBe(1);
    const write = await npmRun("dms:settings", ["--write"], {}, 60_000, copy.dir);
    expect(write.stdout).toContain("wrote template.yaml");
    expect(readFileSync(join(copy.dir, "template.yaml"), "utf8")).toContain("public.extra");
    expect((await npmRun("dms:settings", ["--check"], {}, 60_000, copy.dir)).code).toBe(0);
  });
});
