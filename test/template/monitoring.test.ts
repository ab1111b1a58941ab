/**
 * The search half of the template and its monitoring, resolved per stage: the domain is encrypted, HTTPS
 * with TLS 1.2, in the VPC, with fine-grained access control whose master is the bootstrap's role; the
 * indexer runs in the VPC and signs its requests; every alarm notifies the encrypted topic with
 * dimensions that return data; and every indexer metric an alarm names is one the indexer emits (a
 * renamed metric fails here).
 */
import { Metrics } from "@aws-lambda-powertools/metrics";
import { describe, expect, it } from "vitest";
import { CAPTURE_DOWN_METRIC } from "../../functions/capture-watch/report";
import { publishBatchMetrics } from "../../functions/indexer/report";
import { createMetrics } from "../../shared/observability";
import { resolveStage, template } from "../helpers/template";

const DEPLOY = { VpcId: "vpc-0abc", PrivateSubnetIds: "subnet-1,subnet-2,subnet-3" };
const KNOWN: Record<string, string> = {
  DataKey: "key-1",
  CdcStream: "cdc-stream-dev",
  IndexerFunction: "cdc-indexer-dev",
  DmsReplicationTask: "arn:aws:dms:eu-west-1:123456789012:task:ABCDEFGHIJKLMNOP",
  "IndexerDlq.QueueName": "cdc-indexer-dlq-dev",
  ProducerApi: "api1",
  AlarmTopic: "arn:aws:sns:eu-west-1:123456789012:cdc-pipeline-alarms-dev",
  "SearchDomain.DomainEndpoint": "vpc-cdc-dev-abc.eu-west-1.es.amazonaws.com",
};
/** The parameters that reuse an existing domain instead of creating one. */
const REUSED_DOMAIN = {
  ExistingOpenSearchEndpoint: "https://vpc-search.eu-west-1.es.amazonaws.com",
  ExistingOpenSearchDomainArn: "arn:aws:es:eu-west-1:123456789012:domain/search",
  ExistingOpenSearchSecurityGroupId: "sg-0123456789abcdef0",
  ExistingOpenSearchMasterRoleArn: "arn:aws:iam::123456789012:role/search-admin",
};
const stage = (overrides: Record<string, string> = {}) =>
  resolveStage(DEPLOY, KNOWN, { Stage: "dev", ...overrides });
const alarms = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::CloudWatch::Alarm")
  .map(([id]) => id);

/** The metric names the indexer publishes for a batch that touched every counter. */
function indexerMetricNames(): Set<string> {
  const names = new Set<string>();
  const metrics = new Metrics({ namespace: "CdcPipeline", serviceName: "cdc-indexer" });
  metrics.addMetric = ((name: string) => {
    names.add(name);
  }) as never;
  publishBatchMetrics(metrics, {
    received: 1,
    indexed: 1,
    deleted: 1,
    stale: 1,
    compacted: 1,
    filtered: 1,
    controlSkipped: 1,
    deadLettered: 1,
    retried: 1,
    failedToRetry: 1,
    bulkRequests: 1,
    bulkLatenciesMs: [1],
    freshnessMs: [1],
    usedRecordTimestamp: 0,
  } as never);
  return names;
}

describe("the OpenSearch domain", () => {
  it("is encrypted with the stack's key, HTTPS only with TLS 1.2, in the VPC, with FGAC and no internal users", () => {
    const domain = stage().props("SearchDomain");
    expect(domain.EncryptionAtRestOptions).toEqual({ Enabled: true, KmsKeyId: "key-1" });
    expect(domain.NodeToNodeEncryptionOptions).toEqual({ Enabled: true });
    expect(domain.DomainEndpointOptions).toEqual({
      EnforceHTTPS: true,
      TLSSecurityPolicy: "Policy-Min-TLS-1-2-PFS-2023-10",
    });
    expect(domain.AdvancedSecurityOptions).toMatchObject({
      Enabled: true,
      InternalUserDatabaseEnabled: false,
      MasterUserOptions: { MasterUserARN: "<SearchMasterRole.Arn>" },
    });
    expect(domain.VPCOptions).toEqual({
      SubnetIds: ["subnet-1"],
      SecurityGroupIds: ["<SearchSecurityGroup>"],
    });
    expect(Object.keys(domain.LogPublishingOptions).sort()).toEqual([
      "ES_APPLICATION_LOGS",
      "INDEX_SLOW_LOGS",
      "SEARCH_SLOW_LOGS",
    ]);
    const principals = domain.AccessPolicies.Statement.map(
      (s: { Principal: { AWS: unknown } }) => s.Principal.AWS,
    );
    expect(principals).toEqual([["<IndexerRole.Arn>", "<SearchMasterRole.Arn>"]]);
  });

  it("is sized per stage: one node in dev, three data nodes in three AZs with dedicated masters in prod", () => {
    expect(stage().props("SearchDomain").ClusterConfig).toMatchObject({
      InstanceCount: 1,
      ZoneAwarenessEnabled: false,
    });
    const prod = stage({ Stage: "prod" }).props("SearchDomain");
    expect(prod.ClusterConfig).toMatchObject({
      InstanceCount: 3,
      ZoneAwarenessEnabled: true,
      ZoneAwarenessConfig: { AvailabilityZoneCount: 3 },
      DedicatedMasterEnabled: true,
      DedicatedMasterCount: 3,
    });
    expect(prod.EBSOptions).toMatchObject({ VolumeType: "gp3" });
    expect(prod.VPCOptions.SubnetIds).toEqual(["subnet-1", "subnet-2", "subnet-3"]);
  });

  it("is reused when named: no domain, the indexer and bootstrap reach the given one", () => {
    const reused = stage(REUSED_DOMAIN);
    expect(reused.exists("SearchDomain")).toBe(false);
    expect(reused.props("IndexerFunction").Environment.Variables.OPENSEARCH_ENDPOINT).toBe(
      "https://vpc-search.eu-west-1.es.amazonaws.com",
    );
    expect(reused.props("SearchBootstrapFunction").Role).toBe("arn:aws:iam::123456789012:role/search-admin");
    expect(reused.props("SearchIngressFromIndexer").GroupId).toBe("sg-0123456789abcdef0");
    expect(reused.props("SearchClusterRedAlarm").Dimensions[0]).toEqual({
      Name: "DomainName",
      Value: "search",
    });
  });
});

describe("the indexer in the VPC", () => {
  it("signs its requests, reaches the domain over HTTPS from its own security group, and starts after the bootstrap", () => {
    const fn = stage().props("IndexerFunction");
    expect(fn.VpcConfig).toEqual({
      SecurityGroupIds: ["<IndexerSecurityGroup>"],
      SubnetIds: ["subnet-1", "subnet-2", "subnet-3"],
    });
    expect(fn.Environment.Variables).toMatchObject({
      OPENSEARCH_ENDPOINT: "https://vpc-cdc-dev-abc.eu-west-1.es.amazonaws.com",
      OPENSEARCH_AUTH: "iam",
    });
    expect(template.Resources.IndexerFunction?.DependsOn).toBe("SearchBootstrap");
    const rule = template.Rules?.SignedSearchRequestsOnly as { Assertions: { Assert: unknown }[] };
    expect(rule.Assertions[0]?.Assert).toEqual({ "Fn::Equals": [{ Ref: "OpenSearchAuth" }, "iam"] });
    expect(stage().props("SearchBootstrap")).toMatchObject({ IndexPrefix: "dev-", Shards: 1, Replicas: 0 });
    expect(stage({ Stage: "prod" }).props("SearchBootstrap")).toMatchObject({
      IndexPrefix: "",
      Shards: 3,
      Replicas: 1,
    });
  });
});

describe("the indexer's permission on the domain", () => {
  // OpenSearch authorizes each HTTP request by its path: the indexer only ever POSTs /_bulk and /_mget.
  const domainStatements = (overrides: Record<string, string> = {}) =>
    (
      stage(overrides).props("IndexerRole").Policies[0].PolicyDocument.Statement as {
        Action: unknown;
        Resource: unknown;
      }[]
    ).filter((s) => String(s.Action).startsWith("es:"));

  it("is POST on /_bulk and /_mget of the stage's domain, or of the reused one", () => {
    expect(domainStatements()).toEqual([
      expect.objectContaining({
        Action: "es:ESHttpPost",
        Resource: [
          "arn:aws:es:eu-west-1:123456789012:domain/cdc-dev/_bulk",
          "arn:aws:es:eu-west-1:123456789012:domain/cdc-dev/_mget",
        ],
      }),
    ]);
    expect(domainStatements(REUSED_DOMAIN)).toEqual([
      expect.objectContaining({
        Action: "es:ESHttpPost",
        Resource: [
          "arn:aws:es:eu-west-1:123456789012:domain/search/_bulk",
          "arn:aws:es:eu-west-1:123456789012:domain/search/_mget",
        ],
      }),
    ]);
  });

  it("matches the only requests the indexer sends", async () => {
    const { createIndexerClient } = await import("../../functions/indexer/opensearch-client");
    const sent: string[] = [];
    const server = (await import("node:http")).createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://x").pathname;
      sent.push(`${req.method} ${path}`);
      const body = path === "/_mget" ? '{"docs":[]}' : '{"errors":false,"items":[]}';
      res.writeHead(200, { "content-type": "application/json" }).end(body);
    });
    await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
    const { port } = server.address() as { port: number };
    try {
      const client = createIndexerClient({
        endpoint: `http://127.0.0.1:${port}`,
        auth: "none",
        region: "eu-west-1",
      });
      await client.bulk(
        { body: Buffer.from('{"delete":{"_index":"dev-orders","_id":"1"}}\n') },
        { requestTimeout: 5000 },
      );
      await client.versions([{ index: "dev-orders", id: "1" }], { requestTimeout: 5000 });
    } finally {
      server.close();
    }
    expect(sent).toEqual(["POST /_bulk", "POST /_mget"]);
  });
});

describe("alarms", () => {
  it("every alarm notifies the stage's encrypted topic, with every dimension its metric needs", () => {
    expect(stage().props("AlarmTopic").KmsMasterKeyId).toBe("key-1");
    const needs: Record<string, string[]> = {
      "AWS/DMS": ["ReplicationInstanceIdentifier", "ReplicationTaskIdentifier"],
      "AWS/ES": ["DomainName", "ClientId"],
      "AWS/Kinesis": ["StreamName"],
      "AWS/Lambda": ["FunctionName"],
      "AWS/SQS": ["QueueName"],
      "AWS/ApiGateway": ["ApiId", "Stage"],
      CdcPipeline: ["service", "stage"],
    };
    expect(alarms.length).toBeGreaterThanOrEqual(18);
    for (const id of alarms) {
      const alarm = stage().props(id);
      expect(alarm.AlarmActions, id).toEqual([KNOWN.AlarmTopic]);
      const names = alarm.Dimensions.map((d: { Name: string }) => d.Name);
      expect(names, id).toEqual(needs[alarm.Namespace]);
    }
    const source = stage().props("DmsSourceLatencyAlarm").Dimensions;
    expect(source).toEqual([
      { Name: "ReplicationInstanceIdentifier", Value: "cdc-dev" },
      { Name: "ReplicationTaskIdentifier", Value: "ABCDEFGHIJKLMNOP" },
    ]);
    expect(stage().props("SearchCpuAlarm").Dimensions).toEqual([
      { Name: "DomainName", Value: "cdc-dev" },
      { Name: "ClientId", Value: "123456789012" },
    ]);
  });

  it("names only metrics the pipeline's functions emit, with the dimensions their metrics carry", () => {
    const emitted: Record<string, Set<string>> = {
      "cdc-indexer": indexerMetricNames(),
      "capture-watch": new Set([CAPTURE_DOWN_METRIC]),
    };
    const named = alarms.map((id) => stage().props(id)).filter((a) => a.Namespace === "CdcPipeline");
    expect(named.length).toBeGreaterThanOrEqual(4);
    for (const alarm of named) {
      const service = alarm.Dimensions.find((d: { Name: string }) => d.Name === "service")?.Value as string;
      expect(emitted[service], alarm.MetricName).toContain(alarm.MetricName);
    }
    // The EMF the indexer writes carries exactly the alarms' dimensions.
    const metrics = createMetrics("cdc-indexer", { STAGE: "dev" });
    metrics.addMetric("RecordsDeadLettered", "Count", 1);
    const emf = metrics.serializeMetrics() as unknown as {
      _aws: { CloudWatchMetrics: { Namespace: string; Dimensions: string[][] }[] };
      service: string;
      stage: string;
    };
    expect(emf._aws.CloudWatchMetrics[0]).toMatchObject({
      Namespace: "CdcPipeline",
      Dimensions: [["service", "stage"]],
    });
    expect([emf.service, emf.stage]).toEqual(["cdc-indexer", "dev"]);
  });

  it("alarms on what the issue lists, and the auto-start alarm only outside production", () => {
    const metrics = alarms.map((id) => `${stage().props(id).Namespace} ${stage().props(id).MetricName}`);
    for (const m of [
      "AWS/DMS CDCLatencySource",
      "AWS/DMS CDCLatencyTarget",
      "AWS/Kinesis GetRecords.IteratorAgeMilliseconds",
      "AWS/Kinesis WriteProvisionedThroughputExceeded",
      "AWS/Lambda IteratorAge",
      "AWS/Lambda Errors",
      "AWS/Lambda Duration",
      "AWS/Lambda Throttles",
      "CdcPipeline RecordsLeftForRetry",
      "CdcPipeline RecordsDeadLettered",
      "CdcPipeline FreshnessMax",
      "AWS/SQS ApproximateNumberOfMessagesVisible",
      "AWS/ES ClusterStatus.red",
      "AWS/ES ClusterIndexWritesBlocked",
      "AWS/ES FreeStorageSpace",
      "AWS/ES CPUUtilization",
      "AWS/ES JVMMemoryPressure",
      "AWS/ApiGateway 5xx",
      "CdcPipeline CaptureDown",
    ])
      expect(metrics).toContain(m);
    expect(stage({ Stage: "prod" }).exists("AutoStartErrorsAlarm")).toBe(false);
    expect(stage().exists("AutoStartErrorsAlarm")).toBe(true);
  });

  it("sees a capture that stopped: every stage, the watch reports each 5 minutes, its failures alarm too", () => {
    for (const name of ["dev", "prod"]) {
      const at = stage({ Stage: name });
      expect(at.exists("CaptureWatchFunction")).toBe(true);
      const alarm = at.props("CaptureDownAlarm");
      expect(alarm).toMatchObject({ MetricName: "CaptureDown", Period: 300, Statistic: "Maximum" });
      // Two reports of 5 minutes each: a deploy's stop, modify and resume of the task stays below it.
      expect(alarm.DatapointsToAlarm * alarm.Period).toBe(600);
      expect(at.props("CaptureWatchErrorsAlarm")).toMatchObject({
        Namespace: "AWS/Lambda",
        MetricName: "Errors",
        Dimensions: [{ Name: "FunctionName", Value: "<CaptureWatchFunction>" }],
      });
    }
    const fn = template.Resources.CaptureWatchFunction;
    expect((fn?.Properties as { Events: unknown } | undefined)?.Events).toEqual({
      Every5Minutes: { Type: "Schedule", Properties: { Schedule: "rate(5 minutes)" } },
    });
    expect(fn?.DependsOn).toBe("DmsTaskStart");
  });

  it("the dashboard is valid JSON and shows every metric an alarm of the pipeline's own reads", () => {
    const body = JSON.parse(stage().props("Dashboard").DashboardBody as string) as {
      widgets: { properties: { metrics: unknown[][] } }[];
    };
    const shown = JSON.stringify(body.widgets.map((w) => w.properties.metrics));
    for (const id of alarms) {
      const alarm = stage().props(id);
      if (alarm.Namespace === "CdcPipeline") expect(shown, id).toContain(`"${alarm.MetricName}"`);
    }
  });

  it("every resource of auto-start / auto-stop exists outside production only", () => {
    const prod = stage({ Stage: "prod" });
    const power = Object.keys(template.Resources).filter((id) =>
      /^Aurora(AutoStart|AutoStop)|AutoStartErrors/.test(id),
    );
    expect(power.length).toBeGreaterThanOrEqual(7);
    for (const id of power) expect(prod.exists(id), id).toBe(false);
  });
});
