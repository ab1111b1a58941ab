/** Aurora auto-start and auto-stop: the decisions, and the handlers against mocked RDS and CloudWatch. */
import { CloudWatchClient, GetMetricDataCommand } from "@aws-sdk/client-cloudwatch";
import {
  AddTagsToResourceCommand,
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  ListTagsForResourceCommand,
  StartReplicationTaskCommand,
  StopReplicationTaskCommand,
} from "@aws-sdk/client-database-migration-service";
import {
  DescribeDBClustersCommand,
  InvalidDBClusterStateFault,
  RDSClient,
  StartDBClusterCommand,
  StopDBClusterCommand,
} from "@aws-sdk/client-rds";
import { mockClient } from "aws-sdk-client-mock";
import { beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { decideStart, decideStop } from "../../functions/aurora-power/decide";
import { testContext } from "../helpers/lambda";

const CLUSTER = "cdc-aurora-dev";
const rds = mockClient(RDSClient);
const cloudwatch = mockClient(CloudWatchClient);
const dms = mockClient(DatabaseMigrationServiceClient);
const TASK_ARN = "arn:aws:dms:eu-west-1:123456789012:task:XYZ";
const taskIs = (...statuses: string[]) => {
  let i = 0;
  dms.on(DescribeReplicationTasksCommand).callsFake(() => ({
    ReplicationTasks: [
      { ReplicationTaskArn: TASK_ARN, Status: statuses[Math.min(i++, statuses.length - 1)] },
    ],
  }));
};
const clusterIs = (Status: string, tags: { Key: string; Value: string }[] = []) =>
  rds
    .on(DescribeDBClustersCommand, { DBClusterIdentifier: CLUSTER })
    .resolves({ DBClusters: [{ Status, TagList: tags }] });

type Handler = (event: unknown, context: unknown) => Promise<Record<string, unknown>>;
let start: Handler;
let stop: Handler;
beforeAll(async () => {
  vi.stubEnv("DB_CLUSTER_IDENTIFIER", CLUSTER);
  vi.stubEnv("PRODUCER_API_ID", "a1b2c3d4e5");
  vi.stubEnv("AUTO_STOP_IDLE_HOURS", "3");
  vi.stubEnv("DMS_TASK_IDENTIFIER", "cdc-dev");
  vi.stubEnv("AWS_REGION", "eu-west-1");
  vi.stubEnv("POWERTOOLS_METRICS_DISABLED", "true");
  vi.stubEnv("POWERTOOLS_LOG_LEVEL", "SILENT");
  ({ handler: start } = (await import("../../functions/aurora-power/start")) as never);
  ({ handler: stop } = (await import("../../functions/aurora-power/stop")) as never);
});
beforeEach(() => {
  rds.reset();
  cloudwatch.reset();
  dms.reset();
  dms.on(DescribeReplicationTasksCommand).resolves({ ReplicationTasks: [] });
});

describe("decisions", () => {
  it("starts only a stopped cluster", () => {
    expect(decideStart({ status: "stopped", autoStopTag: undefined }).action).toBe("start");
    for (const status of ["available", "starting", "stopping", "modifying"])
      expect(decideStart({ status, autoStopTag: undefined }).action).toBe("none");
  });
  it("stops only an available, idle cluster that is not tagged off", () => {
    expect(decideStop({ status: "available", autoStopTag: undefined }, 0, 3).action).toBe("stop");
    expect(decideStop({ status: "available", autoStopTag: undefined }, 1, 3).action).toBe("none");
    expect(decideStop({ status: "available", autoStopTag: "OFF" }, 0, 3).action).toBe("none");
    expect(decideStop({ status: "starting", autoStopTag: undefined }, 0, 3).action).toBe("none");
  });
});

describe("auto-start handler", () => {
  it("starts a stopped cluster", async () => {
    clusterIs("stopped");
    rds.on(StartDBClusterCommand).resolves({});
    const result = await start({ source: "producer-api" }, testContext());
    expect(result).toEqual({ cluster: CLUSTER, status: "stopped", action: "start", outcome: "requested" });
    expect(rds.commandCalls(StartDBClusterCommand)[0]?.args[0].input).toEqual({
      DBClusterIdentifier: CLUSTER,
    });
  });

  it("leaves a starting or available cluster alone", async () => {
    for (const status of ["starting", "available"]) {
      clusterIs(status);
      expect((await start({}, testContext())).action).toBe("none");
    }
    expect(rds.commandCalls(StartDBClusterCommand)).toHaveLength(0);
  });

  it("treats a start that raced with another one as done", async () => {
    clusterIs("stopped");
    rds
      .on(StartDBClusterCommand)
      .rejects(new InvalidDBClusterStateFault({ message: "is starting", $metadata: {} }));
    expect((await start({}, testContext())).outcome).toBe("already-changing");
  });

  it("fails loudly when the cluster does not exist", async () => {
    rds.on(DescribeDBClustersCommand).resolves({ DBClusters: [] });
    await expect(start({}, testContext())).rejects.toThrow(/does not exist/);
  });
});

describe("auto-stop handler", () => {
  it("stops an available cluster after 3 h without API requests (no datapoints)", async () => {
    clusterIs("available");
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "requests", Values: [] }] });
    rds.on(StopDBClusterCommand).resolves({});
    const before = Date.now();
    const result = await stop({}, testContext());
    expect(result).toMatchObject({ action: "stop", apiRequests: 0, outcome: "requested" });
    const query = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0].input;
    expect(query?.MetricDataQueries?.[0]?.MetricStat?.Metric).toEqual({
      Namespace: "AWS/ApiGateway",
      MetricName: "Count",
      Dimensions: [{ Name: "ApiId", Value: "a1b2c3d4e5" }],
    });
    const end = (query as { EndTime: Date }).EndTime.getTime();
    const start = (query as { StartTime: Date }).StartTime.getTime();
    expect(end - start).toBe(3 * 3_600_000);
    expect(end).toBeGreaterThanOrEqual(before);
  });

  it("keeps the cluster running while the API has traffic or the tag says off", async () => {
    clusterIs("available");
    cloudwatch
      .on(GetMetricDataCommand)
      .resolves({ MetricDataResults: [{ Id: "requests", Values: [0, 2, 0] }] });
    expect(await stop({}, testContext())).toMatchObject({ action: "none", apiRequests: 2 });
    clusterIs("available", [{ Key: "cdc:auto-stop", Value: "off" }]);
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    expect((await stop({}, testContext())).action).toBe("none");
    expect(rds.commandCalls(StopDBClusterCommand)).toHaveLength(0);
  });

  it("pauses the DMS task before it stops the cluster, and resumes it once the cluster is available again", async () => {
    clusterIs("available");
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [] });
    taskIs("running", "stopped");
    const order: string[] = [];
    dms.on(StopReplicationTaskCommand).callsFake(() => order.push("task stop"));
    rds.on(StopDBClusterCommand).callsFake(() => order.push("cluster stop"));
    expect(await stop({}, testContext())).toMatchObject({ action: "stop", capture: "paused" });
    expect(order).toEqual(["task stop", "cluster stop"]);
    expect(dms.commandCalls(AddTagsToResourceCommand)).toHaveLength(1);

    // Back (started by the API's auto-start), with traffic: the next scheduled run resumes the task.
    dms.reset();
    taskIs("stopped");
    dms.on(ListTagsForResourceCommand).resolves({ TagList: [{ Key: "cdc:paused-by", Value: "auto-stop" }] });
    cloudwatch.on(GetMetricDataCommand).resolves({ MetricDataResults: [{ Id: "requests", Values: [5] }] });
    expect(await stop({}, testContext())).toMatchObject({ action: "none", capture: "resumed" });
    expect(dms.commandCalls(StartReplicationTaskCommand)).toHaveLength(1);
  });
});
