/**
 * The rotation of the DMS and producer logins' passwords as the template wires it: production only, both
 * secrets every 30 days through the one function, once the database bootstrap has made the logins; the
 * function told each secret's login as the secret names it; its role able to change those two secrets
 * only; its failures alarmed.
 */
import { expect, it } from "vitest";
import { resolveStage, template } from "../helpers/template";

const DEPLOY = { VpcId: "vpc-0abc", PrivateSubnetIds: "subnet-1,subnet-2,subnet-3" };
const KNOWN: Record<string, string> = {
  DmsDbSecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/prod/dms-db-AbCdEf",
  ProducerDbSecret: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/prod/producer-db-AbCdEf",
};
const stage = (name: string) => resolveStage(DEPLOY, KNOWN, { Stage: name });
const ROTATION = [
  "SecretRotationSecurityGroup",
  "AuroraIngressFromSecretRotation",
  "SecretRotationLogGroup",
  "SecretRotationRole",
  "SecretRotationFunction",
  "SecretRotationPermission",
  "DmsDbSecretRotation",
  "ProducerDbSecretRotation",
  "SecretRotationErrorsAlarm",
];

it("rotates both logins' secrets every 30 days in production, through the function, after the bootstrap", () => {
  const prod = stage("prod");
  for (const id of ROTATION) expect(prod.exists(id), id).toBe(true);
  for (const [id, secret] of [
    ["DmsDbSecretRotation", KNOWN.DmsDbSecret],
    ["ProducerDbSecretRotation", KNOWN.ProducerDbSecret],
  ] as const) {
    expect(prod.props(id)).toEqual({
      SecretId: secret,
      RotationLambdaARN: "<SecretRotationFunction.Arn>",
      RotateImmediatelyOnUpdate: false,
      RotationRules: { ScheduleExpression: "rate(30 days)" },
    });
    expect(template.Resources[id]?.DependsOn).toEqual(
      expect.arrayContaining(["SecretRotationPermission", "DatabaseBootstrap"]),
    );
  }
  expect(prod.props("SecretRotationPermission")).toMatchObject({
    Principal: "secretsmanager.amazonaws.com",
    FunctionName: "<SecretRotationFunction.Arn>",
  });
  expect(prod.props("SecretRotationErrorsAlarm")).toMatchObject({
    Namespace: "AWS/Lambda",
    MetricName: "Errors",
    Dimensions: [{ Name: "FunctionName", Value: "<SecretRotationFunction>" }],
  });
  // Other stages stop their cluster when idle: no rotation there.
  for (const id of ROTATION) expect(stage("dev").exists(id), id).toBe(false);
});

it("tells the function each secret's login as the secret names it", () => {
  const prod = stage("prod");
  const env = prod.props("SecretRotationFunction").Environment.Variables as Record<string, string>;
  const username = (id: string) => {
    const template = prod.props(id).GenerateSecretString.SecretStringTemplate as string;
    return (JSON.parse(template) as { username: string }).username;
  };
  expect(env.DMS_SECRET_ARN).toBe(KNOWN.DmsDbSecret);
  expect(env.DMS_USER).toBe(username("DmsDbSecret"));
  expect(env.PRODUCER_SECRET_ARN).toBe(KNOWN.ProducerDbSecret);
  expect(env.PRODUCER_USER).toBe(username("ProducerDbSecret"));
});

it("lets the function change those two secrets and nothing else", () => {
  const statements = stage("prod").props("SecretRotationRole").Policies[0].PolicyDocument.Statement as {
    Action: string | string[];
    Resource: string | string[];
  }[];
  const changing = statements.filter((s) =>
    [s.Action]
      .flat()
      .some((a) => a === "secretsmanager:PutSecretValue" || a === "secretsmanager:UpdateSecretVersionStage"),
  );
  expect(changing.flatMap((s) => [s.Resource].flat()).sort()).toEqual(
    [KNOWN.DmsDbSecret, KNOWN.ProducerDbSecret].sort(),
  );
  const wildcard = statements
    .filter((s) => [s.Resource].flat().includes("*"))
    .flatMap((s) => [s.Action].flat());
  expect(wildcard.filter((a) => a.startsWith("secretsmanager:"))).toEqual([
    "secretsmanager:GetRandomPassword",
  ]);
});
