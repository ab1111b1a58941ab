/**
 * The producer API's part of the template, resolved for a stage the way CloudFormation would:
 * routes match the code's router, authorization, throttling, access logs, RDS Proxy with TLS and
 * IAM auth, rds-db:connect scoped to the proxy and user, and auto-start/stop outside production only.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { producerRoutes } from "../../functions/producer/routes";
import { resolveStage, template } from "../helpers/template";

const DEPLOY_PARAMS = {
  VpcId: "vpc-0abc",
  PrivateSubnetIds: "subnet-1,subnet-2",
};
/** The same stage reusing an existing cluster instead of creating one. */
const REUSE_PARAMS = {
  ExistingDbClusterIdentifier: "legacy-aurora",
  ExistingDbClusterSecurityGroupId: "sg-0123456789abcdef0",
  ExistingDbClusterEndpoint: "legacy-aurora.cluster-xyz.eu-west-1.rds.amazonaws.com",
  ExistingDbMasterSecretArn: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:legacy-master-AbCdEf",
};
const KNOWN = {
  AuroraCluster: "cdc-aurora-dev",
  AuroraSecurityGroup: "sg-0db",
  ProducerApiJwtAuthorizer: "authz1",
  ProducerApi: "api1",
  ProducerDbSecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/dev/producer-db-AbCdEf",
  ProducerDbProxySecurityGroup: "sg-proxy",
  ProducerSecurityGroup: "sg-producer",
  ProducerApiIntegration: "integ1",
  AuroraAutoStartFunction: "cdc-aurora-auto-start-dev",
  "AuroraAutoStartFunction.Arn": "arn:aws:lambda:eu-west-1:123456789012:function:cdc-aurora-auto-start-dev",
  "ProducerDbProxy.DBProxyArn": "arn:aws:rds:eu-west-1:123456789012:db-proxy:prx-0123456789abcdef0",
  "ProducerDbProxy.Endpoint": "cdc-producer-dev.proxy-abc.eu-west-1.rds.amazonaws.com",
  "ProducerLogGroup.Arn": "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/lambda/cdc-producer-api-dev",
  "ProducerApiAccessLogs.Arn":
    "arn:aws:logs:eu-west-1:123456789012:log-group:/aws/apigateway/cdc-producer-api-dev",
  "ProducerFunction.Arn": "arn:aws:lambda:eu-west-1:123456789012:function:cdc-producer-api-dev",
  "ProducerDbProxyRole.Arn": "arn:aws:iam::123456789012:role/proxy",
  "AuroraAutoStopLogGroup.Arn": "arn:aws:logs:eu-west-1:123456789012:log-group:stop",
  "AuroraAutoStartLogGroup.Arn": "arn:aws:logs:eu-west-1:123456789012:log-group:start",
};

function resolved(overrides: Record<string, string>) {
  return resolveStage(DEPLOY_PARAMS, KNOWN, overrides);
}

const routes = Object.entries(template.Resources).filter(([, r]) => r.Type === "AWS::ApiGatewayV2::Route");

describe("producer API template", () => {
  it("declares exactly the routes the function's router serves", () => {
    const code = producerRoutes({} as never).map((r) => `${r.method} ${r.path}`);
    const declared = routes.map(([, r]) => r.Properties?.RouteKey);
    expect(declared.sort()).toEqual(code.sort());
  });

  it("authorizes every route with IAM by default and with the JWT authorizer when ApiAuth=jwt", () => {
    const iam = resolved({ Stage: "dev" });
    expect(iam.exists("ProducerApiJwtAuthorizer")).toBe(false);
    for (const [id] of routes) {
      expect(iam.props(id)).toMatchObject({ AuthorizationType: "AWS_IAM", Target: "integrations/integ1" });
      expect(iam.props(id).AuthorizerId).toBeUndefined();
    }
    const jwt = resolved({
      Stage: "dev",
      ApiAuth: "jwt",
      JwtIssuer: "https://issuer.example",
      JwtAudience: "client-1",
    });
    expect(jwt.exists("ProducerApiJwtAuthorizer")).toBe(true);
    for (const [id] of routes)
      expect(jwt.props(id)).toMatchObject({ AuthorizationType: "JWT", AuthorizerId: "authz1" });
  });

  it("throttles and writes JSON access logs on the stage", () => {
    const stage = resolved({ Stage: "dev" }).props("ProducerApiStage");
    expect(stage.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: "100", ThrottlingBurstLimit: "200" });
    expect(stage.AccessLogSettings.DestinationArn).toBe(KNOWN["ProducerApiAccessLogs.Arn"]);
    const format = JSON.parse(stage.AccessLogSettings.Format.replace(/\s+/g, ""));
    expect(format).toMatchObject({ requestId: "$context.requestId", status: "$context.status" });
  });

  it("puts RDS Proxy in front of Aurora with TLS required, IAM auth required and the password in Secrets Manager", () => {
    const { props } = resolved({ Stage: "dev" });
    expect(props("ProducerDbProxy")).toMatchObject({
      EngineFamily: "POSTGRESQL",
      RequireTLS: true,
      Auth: [{ AuthScheme: "SECRETS", IAMAuth: "REQUIRED", SecretArn: KNOWN.ProducerDbSecret }],
      VpcSecurityGroupIds: ["sg-proxy"],
    });
    expect(props("ProducerDbProxyTargetGroup")).toMatchObject({ DBClusterIdentifiers: ["cdc-aurora-dev"] });
    expect(props("ProducerDbProxySecurityGroup").SecurityGroupEgress[0].DestinationSecurityGroupId).toBe(
      "sg-0db",
    );
    const reused = resolved({ Stage: "dev", ...REUSE_PARAMS });
    expect(reused.exists("AuroraCluster")).toBe(false);
    expect(reused.props("ProducerDbProxyTargetGroup")).toMatchObject({
      DBClusterIdentifiers: ["legacy-aurora"],
    });
    expect(reused.props("AuroraIngressFromProxy").GroupId).toBe(
      REUSE_PARAMS.ExistingDbClusterSecurityGroupId,
    );
    expect(props("ProducerDbSecret").GenerateSecretString).toMatchObject({ GenerateStringKey: "password" });
    expect(readFileSync("template.yaml", "utf8")).not.toMatch(
      /(^|[^a-z])password:\s*\S+|\bMasterUserPassword\b/im,
    );
  });

  it("runs the function in the VPC, connecting to the proxy as one user with no password in its environment", () => {
    const fn = resolved({ Stage: "dev" }).props("ProducerFunction");
    expect(fn.VpcConfig).toEqual({ SecurityGroupIds: ["sg-producer"], SubnetIds: ["subnet-1", "subnet-2"] });
    expect(fn.Environment.Variables).toMatchObject({
      DB_HOST: KNOWN["ProducerDbProxy.Endpoint"],
      DB_USER: "cdc_producer",
      AURORA_AUTO_START_FUNCTION_NAME: "cdc-aurora-auto-start-dev",
    });
    expect(Object.keys(fn.Environment.Variables).join(" ")).not.toMatch(/PASSWORD|SECRET/);
    // Declared for local runs only (so sam local invoke --env-vars can set it); empty when deployed.
    expect(fn.Environment.Variables.DATABASE_URL).toBe("");
  });

  it("scopes rds-db:connect to the proxy's resource id and the producer user", () => {
    const role = resolved({ Stage: "dev" }).props("ProducerRole");
    const statements = role.Policies[0].PolicyDocument.Statement as {
      Sid: string;
      Action: unknown;
      Resource: unknown;
    }[];
    const connect = statements.find((s) => s.Action === "rds-db:connect");
    expect(connect?.Resource).toBe(
      "arn:aws:rds-db:eu-west-1:123456789012:dbuser:prx-0123456789abcdef0/cdc_producer",
    );
    const wildcard = statements.filter((s) => s.Resource === "*").map((s) => s.Sid);
    expect(wildcard.sort()).toEqual(["Tracing", "VpcNetworkInterfaces"]);
  });

  it("has auto-start and auto-stop outside production only, each limited to this cluster", () => {
    const dev = resolved({ Stage: "dev" });
    for (const id of ["AuroraAutoStartFunction", "AuroraAutoStopFunction"]) expect(dev.exists(id)).toBe(true);
    const startPolicy = dev.props("AuroraAutoStartRole").Policies[0].PolicyDocument.Statement;
    expect(startPolicy).toContainEqual(
      expect.objectContaining({
        Action: ["rds:DescribeDBClusters", "rds:StartDBCluster"],
        Resource: "arn:aws:rds:eu-west-1:123456789012:cluster:cdc-aurora-dev",
      }),
    );
    expect(
      resolved({ Stage: "dev", ...REUSE_PARAMS }).props("AuroraAutoStopFunction").Environment.Variables,
    ).toMatchObject({ DB_CLUSTER_IDENTIFIER: "legacy-aurora" });
    expect(dev.props("AuroraAutoStopFunction").Events.Every15Minutes).toMatchObject({ Type: "Schedule" });

    const prod = resolved({ Stage: "prod" });
    for (const id of ["AuroraAutoStartFunction", "AuroraAutoStopFunction", "AuroraAutoStartRole"])
      expect(prod.exists(id)).toBe(false);
    expect(
      prod.props("ProducerFunction").Environment.Variables.AURORA_AUTO_START_FUNCTION_NAME,
    ).toBeUndefined();
    const prodStatements = prod.props("ProducerRole").Policies[0].PolicyDocument.Statement as {
      Sid: string;
    }[];
    expect(prodStatements.map((s) => s.Sid)).not.toContain("WakeTheCluster");
  });
});

describe("concurrency", () => {
  it("reserves no concurrency: a new account's quota (10) cannot spare any; auto-start and auto-stop are idempotent", () => {
    const reserving = Object.entries(template.Resources)
      .filter(
        ([, r]) =>
          (r.Properties as Record<string, unknown> | undefined)?.ReservedConcurrentExecutions !== undefined,
      )
      .map(([id]) => id);
    expect(reserving).toEqual([]);
  });
});
