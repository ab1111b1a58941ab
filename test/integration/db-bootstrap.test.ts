import pg from "pg";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import configYaml from "../../config/pipeline.yaml";
import { bundledMigrations } from "../../db/migrations/index";
import { type BootstrapDeps, createBootstrapHandler } from "../../functions/db-bootstrap/app";
import type { Login } from "../../functions/db-bootstrap/prerequisites";
import { sendCfnResponse } from "../../shared/cfn-response";
import { migration } from "../../shared/migrations";
import { type PipelineConfig, parsePipelineConfig } from "../../shared/pipeline-config";
import { customResourceEvent, type ResponseServer, startResponseServer } from "../helpers/cfn";
import { answer, businessEvent, request } from "../helpers/http";
import { recordingLogger, testContext } from "../helpers/lambda";
import { producerContainer, startDatabase } from "../helpers/producer";

const ARN = (name: string) => `arn:aws:secretsmanager:eu-west-1:123456789012:secret:${name}`;
const PRODUCER: Login = { user: "cdc_producer", password: "producer-Pa55-'quoted'\\$$" };
const DMS: Login = { user: "cdc_dms", password: "dms-Pa55-%s-%L" };

let database: Awaited<ReturnType<typeof startDatabase>>;
let master: Login;
let responses: ResponseServer;
let responseUrl: string;
let answers: Record<string, unknown>[];
/** Every statement text the bootstrap sent (a password must never be in one). */
const statements: string[] = [];
/** CloudFormation's answers to the first Create and Update. */
const firstRuns: Record<string, unknown>[] = [];

beforeAll(async () => {
  database = await startDatabase({ migrate: false });
  const url = new URL(database.url);
  master = { user: decodeURIComponent(url.username), password: decodeURIComponent(url.password) };
  responses = await startResponseServer();
  responseUrl = responses.url;
  answers = responses.answers;
});
afterAll(async () => {
  await responses.close();
  await database?.stop();
});
beforeEach(() => {
  answers.length = 0;
});

const secretsOf = (masterLogin: Login): Record<string, Login> => ({
  [ARN("master")]: masterLogin,
  [ARN("producer")]: PRODUCER,
  [ARN("dms")]: DMS,
});

function deps(overrides: Partial<BootstrapDeps> = {}, masterLogin: Login = master): BootstrapDeps {
  const url = new URL(database.url);
  return {
    readSecret: async (arn) => {
      const secret = secretsOf(masterLogin)[arn];
      if (!secret) throw new Error(`no secret ${arn}`);
      return secret;
    },
    connect: async (c) => {
      expect(c.host).toBe(url.hostname);
      const client = new pg.Client({
        host: c.host,
        port: c.port,
        database: c.database,
        user: c.user,
        password: c.password,
      });
      const query = client.query.bind(client) as (...args: unknown[]) => unknown;
      (client as unknown as { query: unknown }).query = (...args: unknown[]) => {
        statements.push(typeof args[0] === "string" ? args[0] : JSON.stringify(args[0]));
        return query(...args);
      };
      await client.connect();
      return client;
    },
    migrations: bundledMigrations,
    pipeline: parsePipelineConfig(configYaml),
    respond: sendCfnResponse,
    logger: recordingLogger(),
    ...overrides,
  };
}

const properties = (over: Record<string, unknown> = {}) => {
  const url = new URL(database.url);
  return {
    ServiceToken: "arn:aws:lambda:eu-west-1:123456789012:function:cdc-db-bootstrap-dev",
    Host: url.hostname,
    Port: url.port,
    Database: url.pathname.slice(1),
    MasterSecretArn: ARN("master"),
    ProducerSecretArn: ARN("producer"),
    DmsSecretArn: ARN("dms"),
    CapturedTables: "public.business_events,public.notes,public.Invoices,public.not_there",
    // notes sends whole rows (no primary key): any key works; Invoices is keyed by [id], as configured.
    TableKeys: JSON.stringify({
      "public.business_events": ["id"],
      "public.notes": ["body"],
      "public.Invoices": null,
      "public.not_there": ["id"],
    }),
    Migrations: bundledMigrations.map((m) => m.file).join(","),
    ...over,
  };
};

const event = (RequestType: "Create" | "Update" | "Delete", props: Record<string, unknown> = properties()) =>
  customResourceEvent(
    {
      responseUrl,
      logicalId: "DatabaseBootstrap",
      type: "Custom::DatabaseBootstrap",
      physicalId: "db/postgres",
    },
    RequestType,
    props,
  );

const connectAs = async (login: Login) => {
  const url = new URL(database.url);
  url.username = login.user;
  url.password = encodeURIComponent(login.password);
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  return client;
};

describe("database bootstrap (Create, then Update)", () => {
  beforeAll(async () => {
    // A captured table the migrations do not create, without a primary key (written by hand).
    await database.db.query("CREATE TABLE public.notes (body text)");
    // A table named as an ORM names it (mixed case, quoted in SQL).
    await database.db.query('CREATE TABLE public."Invoices" (id int PRIMARY KEY)');
    await createBootstrapHandler(deps())(event("Create"), testContext(120_000));
    await createBootstrapHandler(deps())(event("Update"), testContext(120_000));
    firstRuns.push(...answers);
  });

  it("answers SUCCESS twice: migrations applied on Create only, the missing table named both times", () => {
    const migrations = bundledMigrations.map((m) => m.file).join(",");
    expect(firstRuns).toMatchObject([
      {
        Status: "SUCCESS",
        RequestId: "req-Create",
        Data: { AppliedMigrations: migrations, MissingTables: "public.not_there" },
      },
      {
        Status: "SUCCESS",
        RequestId: "req-Update",
        Data: {
          AppliedMigrations: "none",
          GrantedTables: "public.business_events,public.notes,public.Invoices",
        },
      },
    ]);
  });

  it("applied every bundled migration exactly once", async () => {
    const { rows } = await database.db.query("SELECT file FROM schema_migrations ORDER BY version");
    expect(rows.map((r) => r.file)).toEqual(bundledMigrations.map((m) => m.file));
  });

  it("runs the producer API as the producer user, which can do nothing else", async () => {
    const api = producerContainer({
      DATABASE_URL: (() => {
        const url = new URL(database.url);
        url.username = PRODUCER.user;
        url.password = encodeURIComponent(PRODUCER.password);
        return url.toString();
      })(),
    });
    try {
      const sent = businessEvent({}, "bootstrap-1");
      expect(answer(await api.invoke(request("POST", "/events", sent))).status).toBe(201);
      expect(answer(await api.invoke(request("GET", "/events/bootstrap-1"))).status).toBe(200);
    } finally {
      await api.close();
    }
    const client = await connectAs(PRODUCER);
    try {
      expect((await client.query("SHOW statement_timeout")).rows[0].statement_timeout).toBe("5s");
      for (const statement of [
        "UPDATE business_events SET event_name = 'x'",
        "DELETE FROM business_events",
        "SELECT * FROM schema_migrations",
        "SELECT * FROM public.notes",
        "CREATE TABLE public.sneaky (id int)",
      ])
        await expect(client.query(statement), statement).rejects.toMatchObject({ code: "42501" });
    } finally {
      await client.end();
    }
  });

  it("lets the DMS user read the captured tables, write nothing, and decode changes with test_decoding", async () => {
    const client = await connectAs(DMS);
    try {
      await client.query("SELECT count(*) FROM business_events");
      await client.query("SELECT count(*) FROM public.notes");
      await expect(client.query("SELECT * FROM schema_migrations")).rejects.toMatchObject({ code: "42501" });
      await expect(client.query("INSERT INTO public.notes VALUES ('x')")).rejects.toMatchObject({
        code: "42501",
      });
      // DMS's heartbeat table lives in the DMS user's own schema.
      await client.query(
        "CREATE TABLE IF NOT EXISTS awsdms.awsdms_heartbeat (hearthbeat_id serial PRIMARY KEY)",
      );
      await client.query("SELECT pg_create_logical_replication_slot('bootstrap_test', 'test_decoding')");
      await database.db.query(`BEGIN; SET LOCAL synchronous_commit = on;
        INSERT INTO public.notes VALUES ('after-slot'); COMMIT`);
      const changes = await client.query(
        "SELECT data FROM pg_logical_slot_peek_changes('bootstrap_test', NULL, NULL)",
      );
      expect(changes.rows.map((r) => r.data).join("\n")).toContain("table public.notes: INSERT");
      await client.query("SELECT pg_drop_replication_slot('bootstrap_test')");
    } finally {
      await client.end();
    }
  });

  it("keeps the primary key as replica identity and gives a table without one REPLICA IDENTITY FULL", async () => {
    const { rows } = await database.db.query(
      "SELECT relname, relreplident FROM pg_class WHERE relname IN ('business_events', 'notes', 'Invoices') ORDER BY relname",
    );
    expect(rows).toEqual([
      { relname: "Invoices", relreplident: "d" },
      { relname: "business_events", relreplident: "d" },
      { relname: "notes", relreplident: "f" },
    ]);
  });

  it("never sends a password in a statement's text", () => {
    expect(statements.length).toBeGreaterThan(10);
    for (const text of statements) {
      expect(text).not.toContain(PRODUCER.password);
      expect(text).not.toContain(DMS.password);
    }
  });
});

describe("database bootstrap answers", () => {
  it("SUCCESS with what it did, and follows the captured tables: a table no longer captured loses its grant", async () => {
    await createBootstrapHandler(deps())(
      event("Update", properties({ CapturedTables: "public.business_events" })),
      testContext(120_000),
    );
    expect(answers).toHaveLength(1);
    expect(answers[0]).toMatchObject({
      Status: "SUCCESS",
      PhysicalResourceId: `${new URL(database.url).hostname}/${new URL(database.url).pathname.slice(1)}`,
      Data: { AppliedMigrations: "none", GrantedTables: "public.business_events", MissingTables: "none" },
    });
    const client = await connectAs(DMS);
    try {
      await expect(client.query("SELECT * FROM public.notes")).rejects.toMatchObject({ code: "42501" });
      await expect(client.query('SELECT * FROM public."Invoices"')).rejects.toMatchObject({ code: "42501" });
    } finally {
      await client.end();
    }
  });

  it("FAILED, naming the key to configure, when a configured key is not what the table's deletes carry", async () => {
    await database.db.query("CREATE TABLE public.accounts (id int PRIMARY KEY, code text UNIQUE NOT NULL)");
    /** A deploy that captures accounts keyed by these columns. */
    const deployKeyedBy = (key: string[]) =>
      createBootstrapHandler(deps())(
        event(
          "Update",
          properties({
            CapturedTables: "public.business_events,public.accounts",
            TableKeys: JSON.stringify({ "public.business_events": ["id"], "public.accounts": key }),
          }),
        ),
        testContext(120_000),
      );
    await deployKeyedBy(["code"]);
    expect(answers[0]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[0]?.Reason)).toContain(
      "public.accounts: the routing config's key [code] is not the table's primary key [id]",
    );
    expect(String(answers[0]?.Reason)).toContain("set primaryKey: [id]");
    // The same table keyed by its primary key deploys.
    await deployKeyedBy(["id"]);
    expect(answers[1]).toMatchObject({ Status: "SUCCESS" });
    await database.db.query("DROP TABLE public.accounts");
  });

  it("FAILED, naming its partitions, when a captured table is partitioned (its partitions deploy), or a view", async () => {
    await database.db.query(
      "CREATE TABLE public.readings (id int, at date, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
    );
    await database.db.query(
      "CREATE TABLE public.readings_2026 PARTITION OF public.readings FOR VALUES FROM ('2026-01-01') TO ('2027-01-01')",
    );
    const deployCapturing = (tables: string) =>
      createBootstrapHandler(deps())(
        event(
          "Update",
          properties({
            CapturedTables: tables,
            TableKeys: JSON.stringify({
              "public.readings": ["id", "at"],
              "public.readings_2026": ["id", "at"],
            }),
          }),
        ),
        testContext(120_000),
      );
    await deployCapturing("public.business_events,public.readings");
    expect(answers[0]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[0]?.Reason)).toContain(
      "public.readings is partitioned: DMS streams each change under the name of the partition that holds the row (public.readings_2026)",
    );
    await deployCapturing("public.business_events,public.readings_2026");
    expect(answers[1]).toMatchObject({ Status: "SUCCESS" });
    // A view has no changes to capture at all.
    await database.db.query("CREATE VIEW public.recent_readings AS SELECT * FROM public.readings_2026");
    await deployCapturing("public.business_events,public.recent_readings");
    expect(answers[2]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[2]?.Reason)).toContain(
      "public.recent_readings is a view: only tables are captured (logical replication, and so DMS, publishes no changes of it)",
    );
    await database.db.query("DROP VIEW public.recent_readings");
    await database.db.query("DROP TABLE public.readings");
  });

  it("FAILED, naming the column, when a captured table has a column OpenSearch refuses by name (a metadata field, a dotted name it cannot hold) that DMS does not remove", async () => {
    await database.db.query("CREATE TABLE public.mongo_docs (id int PRIMARY KEY, _id text, body text)");
    const mappings = (removed: string[]) =>
      JSON.stringify({
        rules: [
          {
            "rule-type": "selection",
            "rule-id": "1",
            "rule-name": "include-mongo-docs",
            "object-locator": { "schema-name": "public", "table-name": "mongo_docs" },
            "rule-action": "include",
          },
          ...removed.map((column, i) => ({
            "rule-type": "transformation",
            "rule-id": String(i + 2),
            "rule-name": `remove-${column}`,
            "rule-target": "column",
            "object-locator": { "schema-name": "public", "table-name": "mongo_docs", "column-name": column },
            "rule-action": "remove-column",
          })),
        ],
      });
    const deploy = (removed: string[]) =>
      createBootstrapHandler(deps())(
        event(
          "Update",
          properties({
            CapturedTables: "public.business_events,public.mongo_docs",
            TableKeys: JSON.stringify({ "public.business_events": ["id"], "public.mongo_docs": ["id"] }),
            TableMappings: mappings(removed),
          }),
        ),
        testContext(120_000),
      );
    await deploy([]);
    expect(answers[0]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[0]?.Reason)).toContain(
      "public.mongo_docs: column _id has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it",
    );
    await deploy(["_id"]);
    expect(answers[1]).toMatchObject({ Status: "SUCCESS" });
    // Dotted names OpenSearch cannot hold: a value and an object at once, an empty path part.
    await database.db.query(
      'ALTER TABLE public.mongo_docs ADD COLUMN "body.lang" text, ADD COLUMN "a..b" text',
    );
    await deploy(["_id"]);
    expect(answers[2]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[2]?.Reason)).toContain(
      "public.mongo_docs: columns body and body.lang: OpenSearch reads a dot in a field name as an object path",
    );
    expect(String(answers[2]?.Reason)).toContain(
      "public.mongo_docs: column a..b has a name OpenSearch refuses (a dot in a field name is an object path, and one of its parts is empty or blank)",
    );
    await deploy(["_id", "body", "a..b"]);
    expect(answers[3]).toMatchObject({ Status: "SUCCESS" });
    // A trailing dot is dropped (`tag.` is the field tag): alone it deploys; beside a tag, one field for two.
    await database.db.query('ALTER TABLE public.mongo_docs ADD COLUMN "tag." text');
    await deploy(["_id", "body", "a..b"]);
    expect(answers[4]).toMatchObject({ Status: "SUCCESS" });
    await database.db.query("ALTER TABLE public.mongo_docs ADD COLUMN tag text");
    await deploy(["_id", "body", "a..b"]);
    expect(answers[5]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[5]?.Reason)).toContain(
      "public.mongo_docs: columns tag. and tag: OpenSearch drops the trailing dots of a field name, so both are the field tag",
    );
    await database.db.query("DROP TABLE public.mongo_docs");
  });

  it("FAILED, with nothing of it applied, when a migration renames a column the config names; a rename in the config too, or a drop, deploys", async () => {
    await database.db.query(
      "CREATE TABLE public.secrets (id int PRIMARY KEY, pin text, total numeric(10,2))",
    );
    // The config as it names the table: a secret column, the key, a typed column.
    const config = (pin: string) =>
      parsePipelineConfig(
        `tables: {public.secrets: {primaryKey: [id], columns: {total: {type: number, scale: 2}}, exclude: [${pin}]}}`,
      );
    const renamePin = migration(
      "9001_rename_pin.sql",
      "ALTER TABLE public.secrets RENAME COLUMN pin TO pin_code;",
    );
    const renameTwo = migration(
      "9001_rename_two.sql",
      "ALTER TABLE public.secrets RENAME COLUMN id TO secret_id; ALTER TABLE public.secrets RENAME COLUMN total TO amount;",
    );
    const drop = migration("9002_drop_pin.sql", "ALTER TABLE public.secrets DROP COLUMN pin_code;");
    const deploy = (migrations: typeof bundledMigrations, pipeline: PipelineConfig) =>
      createBootstrapHandler(deps({ migrations: [...bundledMigrations, ...migrations], pipeline }))(
        event(
          "Update",
          properties({
            CapturedTables: "public.business_events,public.secrets",
            TableKeys: JSON.stringify({ "public.business_events": ["id"], "public.secrets": ["id"] }),
          }),
        ),
        testContext(120_000),
      );
    const columns = async () =>
      (
        await database.db.query<{ column_name: string }>(
          "SELECT column_name FROM information_schema.columns WHERE table_name = 'secrets' ORDER BY ordinal_position",
        )
      ).rows.map((r) => r.column_name);
    try {
      await deploy([renamePin], config("pin"));
      expect(answers[0]).toMatchObject({ Status: "FAILED" });
      expect(String(answers[0]?.Reason)).toContain(
        "migration 9001_rename_pin.sql renames public.secrets.pin to pin_code, which config/pipeline.yaml excludes from the index: its values would be indexed under the new name. Rename it in config/pipeline.yaml too, in the same change (nothing of the migration was applied)",
      );
      await deploy([renameTwo], config("pin"));
      expect(answers[1]).toMatchObject({ Status: "FAILED" });
      expect(String(answers[1]?.Reason)).toContain(
        "renames public.secrets.id to secret_id, which config/pipeline.yaml uses as the table's key: every change of the table would be dead-lettered without it; and public.secrets.total to amount, which config/pipeline.yaml declares a type for",
      );
      expect(await columns()).toEqual(["id", "pin", "total"]);
      // The same migration with the config following the rename deploys.
      await deploy([renamePin], config("pin_code"));
      expect(answers[2]).toMatchObject({ Status: "SUCCESS" });
      expect(await columns()).toEqual(["id", "pin_code", "total"]);
      // Dropping a named column changes no name.
      await deploy([renamePin, drop], config("pin_code"));
      expect(answers[3]).toMatchObject({ Status: "SUCCESS" });
      expect(await columns()).toEqual(["id", "total"]);
      // The config still names the dropped column: said in the answer (a stack output), not a failure.
      expect(((answers[3]?.Data ?? {}) as Record<string, string>).ConfigNotes).toBe(
        "public.secrets: exclude names pin_code, which the table does not have; a column renamed from it is indexed under its new name (and sent by DMS on a stage): exclude the new name",
      );
      expect(((answers[2]?.Data ?? {}) as Record<string, string>).ConfigNotes).toBe("none");
    } finally {
      await database.db.query("DROP TABLE public.secrets");
      await database.db.query("DELETE FROM public.schema_migrations WHERE version IN ('9001', '9002')");
    }
  });

  it("names the captured tables that do not exist yet", async () => {
    await createBootstrapHandler(deps())(event("Update"), testContext(120_000));
    expect(answers[0]).toMatchObject({ Status: "SUCCESS", Data: { MissingTables: "public.not_there" } });
  });

  it("SUCCESS on delete, leaving users, grants and data in place", async () => {
    await createBootstrapHandler(deps())(event("Delete"), testContext());
    expect(answers[0]).toMatchObject({ Status: "SUCCESS", PhysicalResourceId: "db/postgres" });
    const client = await connectAs(DMS);
    await client.query("SELECT count(*) FROM business_events");
    await client.end();
  });

  it("FAILED with the reason when the master password is wrong", async () => {
    await createBootstrapHandler(deps({}, { user: master.user, password: "wrong" }))(
      event("Create"),
      testContext(120_000),
    );
    expect(answers[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: "DatabaseBootstrap" });
    expect(String(answers[0]?.Reason)).toMatch(/password authentication failed/);
  });

  it("FAILED when the database is unreachable", async () => {
    await createBootstrapHandler(deps())(event("Update", properties({ Port: 1 })), testContext(120_000));
    expect(answers[0]).toMatchObject({ Status: "FAILED", PhysicalResourceId: "db/postgres" });
    expect(String(answers[0]?.Reason)).toMatch(/ECONNREFUSED/);
  });

  it("FAILED before the function's time runs out when the database never answers", async () => {
    const hang = deps({ connect: () => new Promise<never>(() => {}), marginMs: 100 });
    await createBootstrapHandler(hang)(event("Create"), testContext(600));
    expect(answers[0]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[0]?.Reason)).toMatch(/BootstrapError: the database did not finish within/);
  });

  it("FAILED on invalid properties and on a secret whose user name is not a plain identifier", async () => {
    await createBootstrapHandler(deps())(
      event("Create", properties({ CapturedTables: "orders; DROP TABLE x" })),
      testContext(),
    );
    expect(answers[0]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[0]?.Reason)).toMatch(/CapturedTables/);
    const badUser = deps({
      readSecret: async (arn) =>
        arn === ARN("dms") ? { user: 'x"; DROP', password: "p" } : (secretsOf(master)[arn] as Login),
    });
    await createBootstrapHandler(badUser)(event("Create"), testContext(120_000));
    expect(answers[1]).toMatchObject({ Status: "FAILED" });
    expect(String(answers[1]?.Reason)).toMatch(/DMS secret's username/);
  });
});
