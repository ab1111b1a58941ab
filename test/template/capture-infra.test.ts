/**
 * The capture half of `sam deploy`, resolved per stage the way CloudFormation would: the stack's key
 * encrypts everything that holds row data, Aurora is created with logical replication (or reused), the
 * database bootstrap runs inside the VPC before the proxy and the DMS task need its users, interface
 * endpoints exist exactly in NetworkMode=endpoints, and the account-wide DMS roles only when asked.
 */
import { describe, expect, it } from "vitest";
import { resolveStage, template } from "../helpers/template";

const DEPLOY = { VpcId: "vpc-0abc", PrivateSubnetIds: "subnet-1,subnet-2" };
const KNOWN: Record<string, string> = {
  DataKey: "key-1",
  "DataKey.Arn": "arn:aws:kms:eu-west-1:123456789012:key/key-1",
  AuroraCluster: "cdc-aurora-dev",
  AuroraSecurityGroup: "sg-0aurora",
  "AuroraCluster.Endpoint.Address": "cdc-aurora-dev.cluster-abc.eu-west-1.rds.amazonaws.com",
  "AuroraCluster.MasterUserSecret.SecretArn":
    "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!cluster-1",
};
const REUSE = {
  ExistingDbClusterIdentifier: "legacy-aurora",
  ExistingDbClusterSecurityGroupId: "sg-0123456789abcdef0",
  ExistingDbClusterEndpoint: "legacy-aurora.cluster-xyz.eu-west-1.rds.amazonaws.com",
  ExistingDbMasterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-master-AbCdEf",
};
const stage = (overrides: Record<string, string> = {}) =>
  resolveStage(DEPLOY, KNOWN, { Stage: "dev", ...overrides });
const ENDPOINT_SERVICES = ["kinesis-streams", "sqs", "secretsmanager", "logs", "monitoring", "sts", "lambda"];
const endpointIds = Object.entries(template.Resources)
  .filter(([, r]) => r.Type === "AWS::EC2::VPCEndpoint")
  .map(([id]) => id);

describe("the stack's KMS key", () => {
  it("rotates, and allows data use only through the pipeline's services", () => {
    const key = stage().props("DataKey");
    expect(key.EnableKeyRotation).toBe(true);
    const statements = key.KeyPolicy.Statement as { Sid: string; Action: string[]; Condition?: unknown }[];
    const admin = statements.find((s) => s.Sid === "AccountAdministersTheKey");
    expect(admin?.Action.some((a) => /Decrypt|Encrypt|GenerateDataKey/.test(a))).toBe(false);
    const use = statements.find((s) => s.Sid === "UseOnlyThroughThePipelinesServices");
    expect(use?.Condition).toEqual({
      StringEquals: {
        "kms:CallerAccount": "123456789012",
        "kms:ViaService": ["kinesis", "sqs", "secretsmanager", "rds", "dms", "es", "sns"].map(
          (s) => `${s}.eu-west-1.amazonaws.com`,
        ),
      },
    });
  });

  it("encrypts the stream, the DLQ, both secrets, DMS and the cluster", () => {
    const dev = stage();
    expect(dev.props("CdcStream").StreamEncryption.KeyId).toBe("key-1");
    expect(dev.props("IndexerDlq").KmsMasterKeyId).toBe("key-1");
    expect(dev.props("DmsDbSecret").KmsKeyId).toBe("key-1");
    expect(dev.props("ProducerDbSecret").KmsKeyId).toBe("key-1");
    expect(dev.props("DmsReplicationInstance").KmsKeyId).toBe("key-1");
    expect(dev.props("DmsSourceEndpoint").KmsKeyId).toBe("key-1");
    expect(dev.props("AuroraCluster")).toMatchObject({
      StorageEncrypted: true,
      KmsKeyId: "key-1",
      ManageMasterUserPassword: true,
      MasterUserSecret: { KmsKeyId: "key-1" },
    });
  });
});

describe("Aurora, created or reused", () => {
  it("creates a cluster with logical replication on and one private writer by default", () => {
    const dev = stage();
    for (const id of ["AuroraCluster", "AuroraWriter", "AuroraClusterParameterGroup", "AuroraSubnetGroup"])
      expect(dev.exists(id), id).toBe(true);
    expect(dev.props("AuroraClusterParameterGroup").Parameters).toMatchObject({
      "rds.logical_replication": "1",
      max_replication_slots: "10",
      max_wal_senders: "10",
      wal_sender_timeout: "30000",
    });
    expect(dev.props("AuroraWriter")).toMatchObject({
      PubliclyAccessible: false,
      DBClusterIdentifier: "cdc-aurora-dev",
    });
    expect(stage({ Stage: "prod" }).props("AuroraCluster").DeletionProtection).toBe(true);
    expect(template.Resources.AuroraCluster?.DeletionPolicy).toBe("Snapshot");
  });

  it("reuses an existing cluster when named, and refuses a half-named one", () => {
    const reused = stage(REUSE);
    expect(reused.exists("AuroraCluster")).toBe(false);
    expect(reused.props("DatabaseBootstrap")).toMatchObject({
      Host: REUSE.ExistingDbClusterEndpoint,
      MasterSecretArn: REUSE.ExistingDbMasterSecretArn,
    });
    expect(reused.props("DmsToClusterIngress").GroupId).toBe(REUSE.ExistingDbClusterSecurityGroupId);
    const rule = template.Rules?.ReusedClusterIsComplete as { Assertions: unknown[] };
    expect(rule.Assertions).toHaveLength(3);
  });
});

describe("database bootstrap", () => {
  it("runs in the VPC as the master user, reaching only the cluster and HTTPS", () => {
    const dev = stage();
    const fn = dev.props("DbBootstrapFunction");
    expect(fn.VpcConfig.SubnetIds).toEqual(["subnet-1", "subnet-2"]);
    expect(fn.Environment.Variables.NODE_EXTRA_CA_CERTS).toBe("/var/runtime/ca-cert.pem");
    expect(
      dev.props("DbBootstrapSecurityGroup").SecurityGroupEgress.map((e: { FromPort: number }) => e.FromPort),
    ).toEqual([5432, 443]);
    expect(dev.props("AuroraIngressFromBootstrap").GroupId).toBe("sg-0aurora");
    const secrets = dev
      .props("DbBootstrapRole")
      .Policies[0].PolicyDocument.Statement.find((s: { Sid: string }) => s.Sid === "ReadTheThreeLogins");
    expect(secrets.Resource).toEqual([
      KNOWN["AuroraCluster.MasterUserSecret.SecretArn"],
      "<ProducerDbSecret>",
      "<DmsDbSecret>",
    ]);
  });

  it("comes after the writer and the network, and before the proxy's target and the DMS task", () => {
    const props = stage().props("DatabaseBootstrap");
    expect(props.Writer).toBe("<AuroraWriter>");
    expect(
      stage({ NetworkMode: "endpoints", PrivateRouteTableIds: "rtb-1" }).props("DatabaseBootstrap").Network,
    ).toBe("<SecretsManagerEndpoint>,<S3GatewayEndpoint>");
    expect(template.Resources.ProducerDbProxyTargetGroup?.DependsOn).toBe("DatabaseBootstrap");
    expect(template.Resources.DmsTaskStart?.DependsOn).toEqual(["DatabaseBootstrap", "SearchBootstrap"]);
  });
});

describe("network and account-wide roles", () => {
  it("creates the interface endpoints only in NetworkMode=endpoints", () => {
    expect(endpointIds.filter((id) => stage().exists(id))).toEqual([]);
    const endpoints = stage({ NetworkMode: "endpoints", PrivateRouteTableIds: "rtb-1,rtb-2" });
    const interfaces = endpointIds.filter((id) => endpoints.props(id).VpcEndpointType === "Interface");
    const services = interfaces.map((id) => String(endpoints.props(id).ServiceName).split(".").pop());
    expect(services.sort()).toEqual([...ENDPOINT_SERVICES].sort());
    for (const id of interfaces) expect(endpoints.props(id).PrivateDnsEnabled).toBe(true);
    // The bootstrap's answer to CloudFormation (a pre-signed S3 URL) leaves through the S3 gateway.
    expect(endpoints.props("S3GatewayEndpoint")).toMatchObject({
      VpcEndpointType: "Gateway",
      RouteTableIds: ["rtb-1", "rtb-2"],
    });
  });

  it("creates dms-vpc-role and dms-cloudwatch-logs-role only when asked", () => {
    for (const id of ["DmsVpcRole", "DmsCloudWatchLogsRole"]) {
      expect(stage().exists(id)).toBe(false);
      expect(stage({ CreateDmsAccountRoles: "true" }).exists(id)).toBe(true);
    }
    expect(stage({ CreateDmsAccountRoles: "true" }).props("DmsCloudWatchLogsRole").RoleName).toBe(
      "dms-cloudwatch-logs-role",
    );
  });

  it("partitions by primary key by default, by table when asked, and can start from an LSN", () => {
    const settings = (overrides: Record<string, string>) =>
      JSON.parse(stage(overrides).props("DmsReplicationTask").ReplicationTaskSettings).TargetMetadata;
    expect(settings({}).ParallelApplyThreads).toBeGreaterThan(0);
    expect(settings({ DmsPartitioning: "schema-table" }).ParallelApplyThreads).toBeUndefined();
    expect(stage().props("DmsReplicationTask").CdcStartPosition).toBeUndefined();
    expect(
      stage({ DmsMigrationType: "cdc", DmsCdcStartPosition: "0/A1B2C3D4" }).props("DmsReplicationTask"),
    ).toMatchObject({ MigrationType: "cdc", CdcStartPosition: "0/A1B2C3D4" });
  });
});
