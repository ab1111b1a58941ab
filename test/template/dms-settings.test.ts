/**
 * The DMS resources in template.yaml render records exactly as shared/dms-settings.ts says, which is what
 * the local capture sends and the indexer parses: a setting changed in one place only fails here.
 */
import { describe, expect, it } from "vitest";
import bundled from "../../config/pipeline.yaml";
import { bundledMigrations } from "../../db/migrations/index";
import { DMS_KINESIS_SETTINGS, DMS_SOURCE_SETTINGS, dmsTaskSettings } from "../../shared/dms-settings";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig } from "../../shared/pipeline-config";
import { loadTemplate } from "../../tools/lib/cfn-yaml";

const resources = Object.entries(loadTemplate("template.yaml").Resources);
const ofType = (type: string) =>
  resources.filter(([, r]) => r.Type === type).map(([id, r]) => ({ id, props: r.Properties ?? {} }));
const endpoints = ofType("AWS::DMS::Endpoint");

describe("custom resources in template.yaml", () => {
  it("give up after their function's timeout, not CloudFormation's default hour", () => {
    const all = loadTemplate("template.yaml");
    const globalTimeout = Number(all.Globals?.Function?.Timeout ?? 3);
    const custom = resources.filter(([, r]) => r.Type.startsWith("Custom::"));
    expect(custom.length).toBeGreaterThan(0);
    for (const [id, r] of custom) {
      const props = r.Properties as {
        ServiceToken: { "Fn::GetAtt": [string, string] };
        ServiceTimeout: number;
      };
      const fn = all.Resources[props.ServiceToken["Fn::GetAtt"][0]];
      expect(fn?.Type, id).toBe("AWS::Serverless::Function");
      const timeout = Number((fn?.Properties as { Timeout?: number } | undefined)?.Timeout ?? globalTimeout);
      expect(props.ServiceTimeout, id).toBeGreaterThan(timeout);
      expect(props.ServiceTimeout, id).toBeLessThanOrEqual(Math.min(3600, timeout * 4));
    }
  });
});

describe("DMS settings in template.yaml", () => {
  it("the Kinesis target endpoint writes the rendering the indexer parses", () => {
    const targets = endpoints.filter((e) => e.props.EngineName === "kinesis");
    expect(targets.map((t) => t.id)).toEqual(["DmsKinesisTargetEndpoint"]);
    for (const { props } of targets) {
      const { StreamArn, ServiceAccessRoleArn, ...rendering } = props.KinesisSettings as Record<
        string,
        unknown
      >;
      expect(StreamArn).toEqual({ "Fn::GetAtt": ["CdcStream", "Arn"] });
      expect(ServiceAccessRoleArn).toBeDefined();
      expect(rendering).toEqual(DMS_KINESIS_SETTINGS);
    }
  });

  it("the source endpoint renders booleans and LOBs as the capture does, with its password from Secrets Manager", () => {
    const sources = endpoints.filter((e) => e.props.EngineName === "aurora-postgresql");
    expect(sources.map((e) => e.id)).toEqual(["DmsSourceEndpoint"]);
    const settings = sources[0]?.props.PostgreSqlSettings as Record<string, unknown>;
    expect(settings).toMatchObject(DMS_SOURCE_SETTINGS);
    expect(settings.SecretsManagerSecretId).toEqual({ Ref: "DmsDbSecret" });
    expect(sources[0]?.props.SslMode).toBe("require");
  });

  it("the task captures exactly the routed tables, without excluded columns, with the LOB and partitioning settings", () => {
    const tasks = ofType("AWS::DMS::ReplicationTask");
    expect(tasks.map((t) => t.id)).toEqual(["DmsReplicationTask"]);
    const task = tasks[0]?.props as Record<string, unknown>;
    expect(JSON.parse(task.TableMappings as string)).toEqual(dmsTableMappings(parsePipelineConfig(bundled)));
    const [condition, byPrimaryKey, bySchemaTable] = (task.ReplicationTaskSettings as { "Fn::If": string[] })[
      "Fn::If"
    ];
    expect(condition).toBe("PartitionByPrimaryKey");
    expect(JSON.parse(byPrimaryKey as string)).toEqual(dmsTaskSettings("primary-key"));
    expect(JSON.parse(bySchemaTable as string)).toEqual(dmsTaskSettings("schema-table"));
    expect(task.MigrationType).toEqual({ Ref: "DmsMigrationType" });
  });

  it("the database bootstrap grants on exactly the routed tables and reruns when a migration is added", () => {
    const props = loadTemplate("template.yaml").Resources.DatabaseBootstrap?.Properties as Record<
      string,
      unknown
    >;
    expect(String(props.CapturedTables).split(",")).toEqual(
      parsePipelineConfig(bundled)
        .tables()
        .map((t) => t.table),
    );
    expect(props.Migrations).toBe(bundledMigrations.map((m) => m.file).join(","));
  });

  it("a change of the task's settings updates the stop-for-change resource first, which the task waits for", () => {
    const resources = loadTemplate("template.yaml").Resources;
    const task = resources.DmsReplicationTask;
    const stopper = resources.DmsTaskStopForChange?.Properties as Record<string, unknown>;
    const taskProps = task?.Properties as Record<string, unknown>;
    expect(task?.DependsOn).toBe("DmsTaskStopForChange");
    expect(stopper.TableMappings).toBe(taskProps.TableMappings);
    expect(stopper.ReplicationTaskSettings).toEqual(taskProps.ReplicationTaskSettings);
    expect(stopper.MigrationType).toEqual(taskProps.MigrationType);
    expect(stopper.Action).toBe("stop-for-change");
    expect(resources.DmsTaskStart?.Properties).toMatchObject({ TaskArn: { Ref: "DmsReplicationTask" } });
    // The same change updates the start resource, which resumes the task: a task modified in place keeps
    // its ARN, so TaskArn alone would leave it stopped after the deploy.
    const starter = resources.DmsTaskStart?.Properties as Record<string, unknown>;
    for (const [key, value] of Object.entries(stopper))
      if (!["Action", "ServiceToken"].includes(key)) expect(starter[key], key).toEqual(value);
    // Started only once the database has its DMS user and grants.
    expect(resources.DmsTaskStart?.DependsOn).toEqual(["DatabaseBootstrap", "SearchBootstrap"]);
    // Migrations run once a change of the mappings has stopped the task: a migration renaming an excluded
    // column (the config renaming it too) never runs while the task still removes it by its old name.
    expect(resources.DatabaseBootstrap?.DependsOn).toContain("DmsTaskStopForChange");
    expect(((resources.DatabaseBootstrap?.Properties ?? {}) as Record<string, unknown>).TableMappings).toBe(
      stopper.TableMappings,
    );
    expect(resources.DmsTaskStart?.Condition).toBeUndefined();
  });
});
