/**
 * db/aws/cdc-prerequisites.sql against real PostgreSQL: it runs twice without error, and the roles it
 * creates can do exactly their job: the producer API works as cdc_producer (and cannot update or delete),
 * and cdc_dms can read the captured table and open a replication slot with test_decoding, the plugin DMS
 * uses without pglogical (it manages its own slot; no publication).
 */
import { readFileSync } from "node:fs";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { answer, businessEvent, request } from "../helpers/http";
import { producerContainer, startDatabase } from "../helpers/producer";

const PASSWORDS = { producer_password: "producer-Pa55-'quoted'", dms_password: "dms-Pa55" };

/** psql's `:'name'` variables, as `psql -v name=...` would substitute them. */
function withVariables(sql: string, values: Record<string, string>): string {
  return sql.replace(/:'(\w+)'/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for psql variable ${name}`);
    return pg.Client.prototype.escapeLiteral(value);
  });
}

let database: Awaited<ReturnType<typeof startDatabase>>;
const asRole = (user: string, password: string) => {
  const url = new URL(database.url);
  url.username = user;
  url.password = password;
  return url.toString();
};
const connect = async (user: string, password: string) => {
  const client = new pg.Client({ connectionString: asRole(user, password) });
  await client.connect();
  return client;
};

beforeAll(async () => {
  database = await startDatabase();
  const sql = withVariables(readFileSync("db/aws/cdc-prerequisites.sql", "utf8"), PASSWORDS);
  await database.db.query(sql);
  await database.db.query(sql); // idempotent
});
afterAll(async () => {
  await database?.stop();
});

describe("cdc_producer", () => {
  it("runs the producer API with only its grants, and has the role's statement timeout", async () => {
    const api = producerContainer({ DATABASE_URL: asRole("cdc_producer", PASSWORDS.producer_password) });
    try {
      const event = businessEvent({}, "grants-1");
      expect(answer(await api.invoke(request("POST", "/events", event))).status).toBe(201);
      expect(answer(await api.invoke(request("POST", "/events", event))).status).toBe(200);
      expect(answer(await api.invoke(request("GET", "/events/grants-1"))).status).toBe(200);
      expect(answer(await api.invoke(request("GET", "/health"))).status).toBe(200);
    } finally {
      await api.close();
    }
    const client = await connect("cdc_producer", PASSWORDS.producer_password);
    try {
      expect((await client.query("SHOW statement_timeout")).rows[0].statement_timeout).toBe("5s");
      for (const statement of [
        "UPDATE business_events SET event_name = 'x'",
        "DELETE FROM business_events",
        "SELECT * FROM schema_migrations",
        "CREATE TABLE public.sneaky (id int)",
      ])
        await expect(client.query(statement), statement).rejects.toMatchObject({ code: "42501" });
    } finally {
      await client.end();
    }
  });
});

describe("cdc_dms", () => {
  it("reads the captured table, cannot write, and decodes changes with test_decoding", async () => {
    const client = await connect("cdc_dms", PASSWORDS.dms_password);
    try {
      await client.query("SELECT count(*) FROM business_events");
      await expect(
        client.query("INSERT INTO business_events (id, event_name, event_data) VALUES ('x', 'x', '{}')"),
      ).rejects.toMatchObject({
        code: "42501",
      });
      await client.query("SELECT pg_create_logical_replication_slot('prereq_test', 'test_decoding')");
      // Committed synchronously: logical decoding only reads WAL that is flushed (tests run fsync-off).
      await database.db.query(`BEGIN; SET LOCAL synchronous_commit = on;
        INSERT INTO business_events (id, event_name, event_data) VALUES ('after-slot', 'x', '{}'); COMMIT`);
      const changes = await client.query(
        "SELECT count(*)::int AS n FROM pg_logical_slot_peek_changes('prereq_test', NULL, NULL)",
      );
      // BEGIN, INSERT, COMMIT for the row written after the slot was created.
      expect(changes.rows[0].n).toBeGreaterThanOrEqual(3);
      await client.query("SELECT pg_drop_replication_slot('prereq_test')");
    } finally {
      await client.end();
    }
    const publications = await database.db.query(
      "SELECT pubname FROM pg_publication WHERE pubname = 'cdc_dms'",
    );
    expect(publications.rows).toEqual([]);
    const identity = await database.db.query(
      "SELECT relreplident FROM pg_class WHERE oid = 'public.business_events'::regclass",
    );
    expect(identity.rows[0].relreplident).toBe("d");
  });
});
