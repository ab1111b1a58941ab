/**
 * The rotation's Secrets Manager calls (functions/secret-rotation/secret-store.ts) against moto's Secrets
 * Manager, and the staging-label rules the rotation test's model (helpers/secret-store.ts) follows: the
 * same steps on both give the same labels.
 */
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { SecretStore } from "../../functions/secret-rotation/app";
import { secretStore } from "../../functions/secret-rotation/secret-store";
import { startMoto } from "../helpers/moto";
import { SecretStoreModel } from "../helpers/secret-store";

let moto: Awaited<ReturnType<typeof startMoto>>;
let client: SecretsManagerClient;
beforeAll(async () => {
  moto = await startMoto();
  client = new SecretsManagerClient({
    endpoint: moto.endpoint,
    region: "eu-west-1",
    credentials: { accessKeyId: "test", secretAccessKey: "test" },
  });
});
afterAll(async () => {
  client?.destroy();
  await moto?.stop();
});

/** Labels by version, each version named by the order it appeared in (ids differ between the two). */
async function labels(
  store: SecretStore,
  secretId: string,
  order: string[],
): Promise<Record<string, string[]>> {
  const { versions } = await store.describe(secretId);
  for (const id of Object.keys(versions)) if (!order.includes(id)) order.push(id);
  return Object.fromEntries(
    order.filter((id) => versions[id]).map((id, i) => [`v${i}`, [...(versions[id] ?? [])].sort()]),
  );
}

it("stores a pending version, makes it current (the old one previous), and reads a missing version as none", async () => {
  const { ARN: arn } = await client.send(
    new CreateSecretCommand({
      Name: "cdc/test/dms-db",
      SecretString: '{"username":"cdc_dms","password":"one"}',
    }),
  );
  const real = secretStore(client);
  const model = new SecretStoreModel();
  model.create(arn as string, '{"username":"cdc_dms","password":"one"}', false);
  const token = "a1b2c3d4-0000-4000-8000-00000000000a";
  const orders: Record<string, string[]> = { real: [], model: [] };
  const both = async (act: (store: SecretStore, current: () => Promise<string>) => Promise<void>) => {
    for (const store of [real, model]) {
      const current = async () => {
        const { versions } = await store.describe(arn as string);
        return Object.keys(versions).find((id) => versions[id]?.includes("AWSCURRENT")) as string;
      };
      await act(store, current);
    }
    expect(await labels(real, arn as string, orders.real as string[])).toEqual(
      await labels(model, arn as string, orders.model as string[]),
    );
  };

  expect(await real.describe(arn as string)).toMatchObject({ rotationEnabled: false });
  expect(await real.value(arn as string, "AWSCURRENT")).toBe('{"username":"cdc_dms","password":"one"}');
  expect(await real.value(arn as string, "AWSPENDING", token)).toBeUndefined();
  await both(async (store) =>
    store.putPending(arn as string, token, '{"username":"cdc_dms","password":"two"}'),
  );
  expect(await real.value(arn as string, "AWSPENDING", token)).toBe(
    '{"username":"cdc_dms","password":"two"}',
  );
  // The same value again under the same id: accepted, nothing changes (a retried createSecret).
  await both(async (store) =>
    store.putPending(arn as string, token, '{"username":"cdc_dms","password":"two"}'),
  );
  await both(async (store, current) => store.makeCurrent(arn as string, token, await current()));
  expect(await real.value(arn as string, "AWSCURRENT")).toBe('{"username":"cdc_dms","password":"two"}');
  expect(await real.value(arn as string, "AWSPREVIOUS")).toBe('{"username":"cdc_dms","password":"one"}');
});

it("draws a password of 40 letters and digits", async () => {
  const password = await secretStore(client).randomPassword();
  expect(password).toMatch(/^[A-Za-z0-9]{40}$/);
});
