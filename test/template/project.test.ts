/** The template's deliberate choices, and that the runtime-deps layer is what the functions leave out. */
import { readFileSync } from "node:fs";
import { parse } from "smol-toml";
import { describe, expect, it } from "vitest";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

const template = loadTemplate("template.yaml");
const functions = Object.entries(template.Resources).filter(
  ([, r]) => r.Type === "AWS::Serverless::Function",
);

describe("template", () => {
  it("runs every function on nodejs24.x arm64, matching the Node the project pins", () => {
    const globals = template.Globals?.Function as Record<string, unknown>;
    expect(globals.Runtime).toBe("nodejs24.x");
    expect(globals.Architectures).toEqual(["arm64"]);
    const pkg = JSON.parse(readFileSync("package.json", "utf8"));
    expect(pkg.engines.node).toBe(">=24 <25");
    expect(pkg.devDependencies.node).toMatch(/^\^?24\./);
    expect(process.versions.node.split(".")[0]).toBe("24");
  });

  it("builds every function with esbuild as ESM with source maps, minified", () => {
    for (const [, fn] of functions) {
      expect(fn.Metadata?.BuildMethod).toBe("esbuild");
      expect(fn.Metadata?.BuildProperties).toMatchObject({
        Format: "esm",
        Minify: true,
        Sourcemap: true,
        Target: "node24",
      });
    }
  });

  it("leaves out of each bundle exactly the packages the layer ships, at the versions the lockfile pins", () => {
    const layer = JSON.parse(readFileSync("layers/runtime-deps/package.json", "utf8")) as {
      dependencies: Record<string, string>;
    };
    const lock = JSON.parse(readFileSync("package-lock.json", "utf8")) as {
      packages: Record<string, { version: string }>;
    };
    for (const [name, version] of Object.entries(layer.dependencies)) {
      expect(lock.packages[`node_modules/${name}`]?.version, name).toBe(version);
    }
    for (const [id, fn] of functions) {
      const external = (fn.Metadata?.BuildProperties as { External?: string[] } | undefined)?.External ?? [];
      expect([...external].sort(), id).toEqual(Object.keys(layer.dependencies).sort());
      expect(JSON.stringify(fn.Properties?.Layers ?? template.Globals?.Function?.Layers)).toContain(
        "RuntimeDepsLayer",
      );
    }
  });

  it("configures the Kinesis event source deliberately", () => {
    const events = template.Resources.IndexerFunction?.Properties?.Events as Record<
      string,
      { Properties: Record<string, unknown> }
    >;
    expect(events.CdcStream?.Properties).toMatchObject({
      BisectBatchOnFunctionError: true,
      FunctionResponseTypes: ["ReportBatchItemFailures"],
      MaximumRetryAttempts: expect.any(Number),
      MaximumRecordAgeInSeconds: expect.any(Number),
      DestinationConfig: { OnFailure: { Destination: { "Fn::GetAtt": ["IndexerDlq", "Arn"] } } },
    });
  });

  it("encrypts the stream and the DLQ with the stack's key and keeps DLQ messages 14 days", () => {
    expect(template.Resources.CdcStream?.Properties?.StreamEncryption).toEqual({
      EncryptionType: "KMS",
      KeyId: { Ref: "DataKey" },
    });
    expect(template.Resources.IndexerDlq?.Properties).toMatchObject({
      KmsMasterKeyId: { Ref: "DataKey" },
      MessageRetentionPeriod: 1_209_600,
    });
  });

  it("gives operators (redrive, verify, reload) a policy scoped to this DLQ, stream, task, login and domain", () => {
    const policy = template.Resources.RedriveOperatorPolicy?.Properties as {
      PolicyDocument: {
        Statement: ({ Action: string | string[]; Resource: unknown } | { "Fn::If": unknown[] })[];
      };
    };
    const statements = policy.PolicyDocument.Statement;
    const plain = statements.filter(
      (s): s is { Action: string | string[]; Resource: unknown } => "Action" in s,
    );
    const resources = Object.fromEntries(plain.map((s) => [[s.Action].flat().join(","), s.Resource]));
    expect(resources).toEqual({
      "sqs:ReceiveMessage,sqs:DeleteMessage,sqs:ChangeMessageVisibility,sqs:GetQueueAttributes": {
        "Fn::GetAtt": ["IndexerDlq", "Arn"],
      },
      "kinesis:PutRecords,kinesis:GetShardIterator,kinesis:GetRecords,kinesis:ListShards": {
        "Fn::GetAtt": ["CdcStream", "Arn"],
      },
      "cloudformation:DescribeStacks": { Ref: "AWS::StackId" },
      "kms:Decrypt,kms:GenerateDataKey": { "Fn::GetAtt": ["DataKey", "Arn"] },
      "secretsmanager:GetSecretValue": { Ref: "DmsDbSecret" },
      "dms:ReloadTables,dms:DescribeTableStatistics": { Ref: "DmsReplicationTask" },
      // A rebuild checks that the task runs before it deletes anything (no resource-level permission).
      "dms:DescribeReplicationTasks": "*",
    });
    // The domain: reads (verify) and deletes (a rebuild), on this stage's domain or the reused one; FGAC's
    // operator role limits both to the pipeline's indices.
    const domain = statements.find((s) => "Fn::If" in s) as {
      "Fn::If": [string, { Action: string[] }, { Action: string[] }];
    };
    expect(domain["Fn::If"][0]).toBe("CreateDomain");
    for (const branch of domain["Fn::If"].slice(1) as { Action: string[] }[])
      expect(branch.Action).toEqual(["es:ESHttpGet", "es:ESHttpHead", "es:ESHttpPost", "es:ESHttpDelete"]);
  });

  it("has a samconfig environment per stage with its Stage override", () => {
    const config = parse(readFileSync("samconfig.toml", "utf8")) as Record<
      string,
      Record<string, { parameters: Record<string, string> }>
    >;
    expect(config.version).toBe(0.1);
    for (const stage of ["dev", "staging", "prod"]) {
      const deploy = config[stage]?.deploy?.parameters;
      expect(deploy?.parameter_overrides).toContain(`Stage=${stage}`);
      expect(deploy).toMatchObject({
        capabilities: expect.any(String),
        region: expect.any(String),
        tags: expect.any(String),
      });
      expect(config[stage]?.global?.parameters).toMatchObject({ stack_name: `cdc-pipeline-${stage}` });
    }
    expect(config.default).toBeDefined();
    // A bare `sam deploy` must stop, not deploy a stage with half of its settings.
    expect(config.default?.deploy).toBeUndefined();
    expect(config.default?.global).toBeUndefined();
  });

  it("gives every stage a value for each parameter without a default, so deploys never prompt", () => {
    const config = parse(readFileSync("samconfig.toml", "utf8")) as Record<
      string,
      Record<string, { parameters: Record<string, string> }>
    >;
    const required = Object.entries(template.Parameters ?? {})
      .filter(([, spec]) => spec.Default === undefined)
      .map(([name]) => name);
    expect(required.length).toBeGreaterThan(0);
    for (const stage of ["dev", "staging", "prod"]) {
      const overrides = config[stage]?.deploy?.parameters?.parameter_overrides ?? "";
      for (const name of required)
        expect(overrides, `${stage}: ${name}`).toMatch(new RegExp(`(^| )${name}=\\S`));
    }
  });
});
