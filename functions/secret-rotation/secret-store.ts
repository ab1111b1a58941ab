/** The rotation's view of Secrets Manager (app.ts SecretStore) over the SDK client. */
import {
  DescribeSecretCommand,
  GetRandomPasswordCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceNotFoundException,
  type SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from "@aws-sdk/client-secrets-manager";
import type { SecretStore } from "./app";

/** 40 characters of letters and digits: no character a connection string or a shell would need quoted. */
const PASSWORD_RULES = { PasswordLength: 40, ExcludePunctuation: true, IncludeSpace: false };

export function secretStore(client: SecretsManagerClient): SecretStore {
  return {
    async describe(secretId) {
      const secret = await client.send(new DescribeSecretCommand({ SecretId: secretId }));
      return { rotationEnabled: secret.RotationEnabled === true, versions: secret.VersionIdsToStages ?? {} };
    },
    async value(secretId, stage, versionId) {
      try {
        const { SecretString } = await client.send(
          new GetSecretValueCommand({ SecretId: secretId, VersionStage: stage, VersionId: versionId }),
        );
        return SecretString;
      } catch (error) {
        if (error instanceof ResourceNotFoundException) return undefined;
        throw error;
      }
    },
    async putPending(secretId, versionId, text) {
      await client.send(
        new PutSecretValueCommand({
          SecretId: secretId,
          ClientRequestToken: versionId,
          SecretString: text,
          VersionStages: ["AWSPENDING"],
        }),
      );
    },
    async makeCurrent(secretId, versionId, fromVersionId) {
      await client.send(
        new UpdateSecretVersionStageCommand({
          SecretId: secretId,
          VersionStage: "AWSCURRENT",
          MoveToVersionId: versionId,
          RemoveFromVersionId: fromVersionId,
        }),
      );
    },
    async randomPassword() {
      const { RandomPassword } = await client.send(new GetRandomPasswordCommand(PASSWORD_RULES));
      if (!RandomPassword) throw new Error("Secrets Manager returned no password");
      return RandomPassword;
    },
  };
}
