/**
 * A stack started with a routing config of one's own (`PIPELINE_CONFIG=my.yaml npm start`): the
 * commands run in another terminal (reload, verify) read that config from the stack, not the default
 * one, without PIPELINE_CONFIG set again. Its array columns and a route on one are indexed as declared.
 * `npm run db:migrate` finds the stack's database as they do.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";
import { useTestStack } from "../helpers/stack";

const dir = mkdtempSync(join(tmpdir(), "cdc-own-config-"));
const configPath = join(dir, "my-pipeline.yaml");
writeFileSync(
  configPath,
  `${readFileSync("config/pipeline.yaml", "utf8").replace(
    "\nroutes:",
    `
  public.readings:
    primaryKey: [id]
    columns:
      vals: {type: array, of: number, scale: 2}
      flags: {type: array, of: boolean}

routes:
  - index: flagged-readings
    table: public.readings
    when: {field: flags, equals: true}`,
  )}`,
);
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const testStack = useTestStack({ pipelineConfig: configPath });

describe("a stack with a routing config of its own", () => {
  it("is reloaded and verified by the commands with that config, routes on arrays included", async () => {
    const { db, stack, stackDir } = testStack();
    await db.query("CREATE TABLE readings (id int PRIMARY KEY, vals numeric[], flags boolean[])");
    await db.query("INSERT INTO readings VALUES (1, '{1.5,NULL}', '{f,t}'), (2, '{}', '{f}')");
    // A table created after the start is captured from the next start on; a reload loads it now.
    const env = { LOCAL_STACK_DIR: stackDir, PIPELINE_CONFIG: undefined };
    const reload = await npmRun("reload", ["public.readings"], env);
    expect(reload.stdout).toContain("sent public.readings: 2 rows");
    expect(reload.code).toBe(0);
    expect(await stack.settle(60_000)).toBe(true);
    const readings = stack.pipeline.routingFor("public", "readings").index;
    const source = async (index: string, id: string) =>
      (await stack.search.get({ index, id }, { ignore: [404] })).body._source;
    expect(await source(readings, "1")).toEqual({ id: 1, vals: [1.5, null], flags: [false, true] });
    const flagged = `${stack.indexPrefix}flagged-readings`;
    expect(await source(flagged, "1")).toBeDefined();
    expect(await source(flagged, "2")).toBeUndefined();

    // Set but empty (`export DATABASE_URL=`) counts as unset: the running stack's are used.
    const verify = await npmRun("verify", ["public.readings"], {
      ...env,
      DATABASE_URL: "",
      OPENSEARCH_URL: "",
    });
    expect(verify.stdout).toContain(`ok   ${readings}: 2 expected, 2 found, 0 differences`);
    expect(verify.stdout).toContain(`ok   ${flagged}: 1 expected, 1 found, 0 differences`);
    expect(verify.code).toBe(0);
  });

  it("migrates the running stack's database without DATABASE_URL, and says what to set without a stack", async () => {
    const { stackDir } = testStack();
    const migrated = await npmRun("db:migrate", [], { LOCAL_STACK_DIR: stackDir, DATABASE_URL: "" });
    expect(migrated.stdout).toContain("database is up to date");
    expect(migrated.code).toBe(0);
    const none = await npmRun("db:migrate", [], { LOCAL_STACK_DIR: dir, DATABASE_URL: "" });
    expect(none.stderr).toContain("no running stack (npm start) and no DATABASE_URL");
    expect(none.code).toBe(2);
  });

  it("says why a migration cannot be applied in one line, without a stack trace", async () => {
    const { db, stack } = testStack();
    await db.query("DROP DATABASE IF EXISTS migrated_elsewhere");
    await db.query("CREATE DATABASE migrated_elsewhere");
    const url = new URL(stack.databaseUrl);
    url.pathname = "/migrated_elsewhere";
    const other = new pg.Client({ connectionString: url.href });
    await other.connect();
    try {
      // Version 0001 applied from another text than the folder's: a migration edited after it ran.
      await other.query(`CREATE TABLE public.schema_migrations (version text PRIMARY KEY, file text NOT NULL,
        checksum text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`);
      await other.query(
        "INSERT INTO public.schema_migrations VALUES ('0001', '0001_business_events.sql', 'other')",
      );
      const changed = await npmRun("db:migrate", [], { DATABASE_URL: url.href });
      expect(changed.code).toBe(1);
      expect(changed.stderr.trim()).toBe(
        "db:migrate: migration 0001_business_events.sql was changed after it was applied; add a new migration instead",
      );
    } finally {
      await other.end();
      await db.query("DROP DATABASE IF EXISTS migrated_elsewhere WITH (FORCE)");
    }
  });
});
