/**
 * Restarting `npm start`: the second run resumes where the first stopped (Kinesis records and poller
 * checkpoints on disk, the replication slot confirmed only after Kinesis accepted each transaction):
 * changes made while it was down arrive, nothing is emitted twice, nothing is lost. A new replication
 * slot (as a new DMS task) brings a full load of the existing rows.
 */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { PermanentFailureMessage } from "../../shared/dead-letters";
import { startLocalSqs } from "../../tools/local-stack/sqs";
import { LocalStack, type StackOptions } from "../../tools/local-stack/stack";
import { startEmulator } from "../../tools/opensearch-emulator/server";
import { uniquePrefix } from "../helpers/search";
import { verifyStack } from "../helpers/stack";

const dir = mkdtempSync(join(tmpdir(), "cdc-restart-"));
chmodSync(dir, 0o711); // as root, PostgreSQL runs as the postgres user and must pass through
let options: StackOptions;
let cleanup: () => Promise<void>;

beforeAll(async () => {
  const emulator = process.env.OPENSEARCH_URL ? undefined : await startEmulator({ gcDeletesMs: 3_600_000 });
  const sqs = await startLocalSqs();
  sqs.createQueue("cdc-indexer-dlq-local");
  options = {
    dir,
    opensearchUrl: process.env.OPENSEARCH_URL ?? emulator?.url,
    sqsEndpoint: sqs.url,
    indexPrefix: uniquePrefix(),
    esm: { batchingWindowMs: 50 },
  };
  cleanup = async () => {
    await emulator?.stop();
    await sqs.stop();
    rmSync(dir, { recursive: true, force: true });
  };
});
afterAll(async () => cleanup?.());

async function withStack<T>(
  run: (stack: LocalStack, db: pg.Client) => Promise<T>,
  more: Partial<StackOptions> = {},
): Promise<T> {
  // The project's config unless a test names another (a stack leaves PIPELINE_CONFIG set in this process).
  const stack = await new LocalStack({ ...options, pipelineConfig: "config/pipeline.yaml", ...more }).start();
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  try {
    return await run(stack, db);
  } finally {
    await db.end();
    await stack.stop();
  }
}

const check = async (stack: LocalStack) => (await verifyStack(stack)).differences;

/** config/pipeline.yaml with more tables (YAML lines under `tables:`), written into the test's folder. */
function configWith(file: string, tables: string): string {
  const path = join(dir, file);
  writeFileSync(
    path,
    readFileSync("config/pipeline.yaml", "utf8").replace("\nroutes:", `\n${tables}\nroutes:`),
  );
  return path;
}

describe("restarting the local stack", () => {
  it("resumes without re-emitting or losing changes, and full-loads for a new slot", async () => {
    await withStack(async (stack, db) => {
      await db.query(
        "INSERT INTO orders (id, status, amount) SELECT g, 'first', g FROM generate_series(1, 300) g",
      );
      expect(await stack.settle(60_000)).toBe(true);
      expect(stack.capture.stats.captured).toBe(300);
    });

    const second = await withStack(async (stack, db) => {
      await db.query("UPDATE orders SET status = 'second' WHERE id <= 100");
      await db.query("DELETE FROM orders WHERE id > 290");
      expect(await stack.settle(60_000)).toBe(true);
      // Only the new changes were captured: the first run's 300 inserts were not emitted again.
      expect(stack.capture.stats.captured).toBe(110);
      expect(stack.capture.stats.loaded).toBe(0);
      expect(await check(stack)).toEqual([]);
      // Stop with changes left in the replication slot only (capture stopped first).
      await stack.capture.stop();
      await db.query("UPDATE orders SET status = 'while-down' WHERE id BETWEEN 101 AND 150");
      return stack.poller.stats.read;
    });
    expect(second).toBe(110);

    await withStack(async (stack, db) => {
      expect(await stack.settle(60_000)).toBe(true);
      expect(stack.capture.stats.captured).toBe(50);
      expect(await check(stack)).toEqual([]);
      // A new slot, as a new DMS task: existing rows arrive as `load` records.
      await stack.capture.stop();
      // A stopped capture has let its slot go (the server's walsender ends a moment after the
      // connection): dropping it, or a start that follows at once, is not refused as "active".
      const name = stack.capture.slotName;
      const slot = await db.query("SELECT active FROM pg_replication_slots WHERE slot_name = $1", [name]);
      expect(slot.rows[0]?.active).toBe(false);
      await db.query("SELECT pg_drop_replication_slot($1)", [name]);
    });

    await withStack(async (stack) => {
      expect(await stack.settle(60_000)).toBe(true);
      expect(stack.capture.stats.loaded).toBe(290);
      expect(await check(stack)).toEqual([]);
    });
  });

  it("says once what repairs a route added to a table it captured before, or whose condition changed", async () => {
    const config = join(dir, "with-route.yaml");
    writeFileSync(
      config,
      `${readFileSync("config/pipeline.yaml", "utf8")}  - { index: second-orders, table: public.orders, when: { field: status, equals: second } }\n`,
    );
    const said: string[] = [];
    const hint =
      "route second-orders is new: rows of public.orders written before it are not in it; to fill it: npm run reload -- public.orders";
    await withStack(
      async (stack) => {
        expect(await stack.settle(60_000)).toBe(true);
        const route = (await verifyStack(stack)).indices.find((i) => i.index.endsWith("second-orders"));
        expect(route).toMatchObject({ expected: 100, actual: 0 });
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(
      said.filter((line) => line.includes("route ")).map((l) => l.replace(options.indexPrefix ?? "", "")),
    ).toEqual([hint]);
    said.length = 0;
    await withStack(async () => {}, { pipelineConfig: config, log: (line) => said.push(line) });
    expect(said.filter((line) => line.includes("route "))).toEqual([]);

    // The route's condition changes: its index no longer matches it, and the start says how to rebuild.
    writeFileSync(config, readFileSync(config, "utf8").replace("equals: second", "equals: first"));
    await withStack(
      async (stack) => {
        expect(await stack.settle(60_000)).toBe(true);
        const route = (await verifyStack(stack)).indices.find((i) => i.index.endsWith("second-orders"));
        expect(route?.differences).toBeGreaterThan(0);
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(
      said.filter((line) => line.includes("route ")).map((l) => l.replace(options.indexPrefix ?? "", "")),
    ).toEqual([
      "route second-orders has a new condition: its index keeps documents that no longer match and lacks rows that now do; to rebuild it: npm run reload -- --rebuild public.orders",
    ]);
  });

  it("gives a captured table without a primary key REPLICA IDENTITY FULL (its updates and deletes work and arrive), and names a configured key that is not the table's", async () => {
    const config = configWith(
      "with-notes.yaml",
      "  public.notes:\n    primaryKey: [id]\n  public.accounts:\n    primaryKey: [code]\n",
    );
    await withStack(
      async (_, db) => {
        await db.query("CREATE TABLE notes (id int NOT NULL, body text)");
        await db.query("CREATE TABLE accounts (id int PRIMARY KEY, code text UNIQUE NOT NULL)");
        await db.query("INSERT INTO notes VALUES (1, 'a'), (2, 'b'), (3, 'c')");
      },
      { pipelineConfig: config },
    );
    const said: string[] = [];
    await withStack(
      async (stack, db) => {
        // PostgreSQL refuses these on a published table without a replica identity.
        await db.query("UPDATE notes SET body = 'a2' WHERE id = 1");
        await db.query("DELETE FROM notes WHERE id = 2");
        expect(await stack.settle(60_000)).toBe(true);
        const notes = (await verifyStack(stack)).indices.find((i) => i.index.endsWith("public_notes"));
        expect(notes).toMatchObject({ expected: 2, actual: 2, differences: 0 });
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(said).toContain(
      "capture: public.notes has no primary key: REPLICA IDENTITY FULL set, as on a stage",
    );
    expect(said).toContain(
      "config: public.accounts: the routing config's key [code] is not the table's primary key [id]: deletes and key changes carry only [id], so their documents are not found (deletes dead-lettered as missing_primary_key); set primaryKey: [id]",
    );
    expect(said.filter((line) => line.startsWith("config: "))).toHaveLength(1);
  });

  it("stops within seconds while an indexer invocation is under way (against a cluster that refuses writes it retries until its timeout), and the next start applies what it left", async () => {
    const said: string[] = [];
    let release: (() => void) | undefined;
    let invocations = 0;
    await withStack(
      async (_stack, db) => {
        await db.query("INSERT INTO orders (id, status, amount) VALUES (870001, 'left in flight', 1)");
        for (const deadline = Date.now() + 30_000; !release && Date.now() < deadline; )
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(release).toBeDefined();
        // withStack's stop follows: before, it waited for this invocation and then for every retry of
        // its batch (minutes, the template's retry attempts times the function's timeout).
      },
      {
        log: (line) => said.push(line),
        wrapInvoke: () => async () => {
          invocations++;
          await new Promise<void>((resolve) => {
            release = resolve;
          });
          throw new Error("Task timed out: every bulk request refused");
        },
      },
    );
    expect(said).toContain(
      "stop: an indexer invocation still under way was left; its records are read again at the next start",
    );
    release?.(); // the invocation left behind ends; the stopped poller invokes nothing again
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(invocations).toBe(1);

    await withStack(async (stack) => {
      expect(await stack.settle(60_000)).toBe(true);
      expect((await verifyStack(stack)).differences).toEqual([]);
    });
  });

  it("lets PostgreSQL shut down while the capture runs (a service stop, a machine shutdown), past writes to tables it does not publish", async () => {
    const said: string[] = [];
    await withStack(
      async (stack, db) => {
        await db.query("INSERT INTO orders (id, status, amount) VALUES (880001, 'before', 1)");
        expect(await stack.settle(60_000)).toBe(true);
        // WAL past the last change the capture confirmed, none of it published.
        await db.query("CREATE TABLE IF NOT EXISTS scratch (id int)");
        await db.query("INSERT INTO scratch SELECT generate_series(1, 10000)");
        const dataDir = (await db.query<{ data_directory: string }>("SHOW data_directory")).rows[0]
          ?.data_directory as string;
        const server = Number(readFileSync(join(dataDir, "postmaster.pid"), "utf8").split("\n")[0]);
        db.on("error", () => undefined); // this connection ends with the server
        process.kill(server, "SIGINT"); // fast shutdown, as pg_ctl stop and systemd ask for
        const running = () => {
          try {
            process.kill(server, 0);
            return true;
          } catch {
            return false;
          }
        };
        for (const deadline = Date.now() + 15_000; running() && Date.now() < deadline; )
          await new Promise((resolve) => setTimeout(resolve, 100));
        expect(running()).toBe(false);
        // The stack says what happened and what to do; its capture keeps trying to reconnect meanwhile.
        for (const deadline = Date.now() + 10_000; Date.now() < deadline; ) {
          if (said.some((line) => line.startsWith("capture: cannot reconnect yet"))) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(said.filter((line) => line.startsWith("PostgreSQL exited"))).toEqual([
          `PostgreSQL exited (code 0) while the stack runs: its data is kept in ${join(dir, "postgres")}; stop the stack (Ctrl-C) and npm start again`,
        ]);
        expect(said.some((line) => line.startsWith("capture: cannot reconnect yet"))).toBe(true);
        expect(stack.captureFailure).toBeUndefined();
      },
      { log: (line) => said.push(line) },
    );
    // Nothing was lost: the next start resumes the slot.
    await withStack(async (stack) => {
      expect(await stack.settle(60_000)).toBe(true);
      expect((await verifyStack(stack)).differences).toEqual([]);
    });
  });

  it("reconnects when its replication connection is ended (a failover, a server restart, a DBA's terminate), as DMS does: nothing is lost", async () => {
    const said: string[] = [];
    await withStack(
      async (stack, db) => {
        await db.query("INSERT INTO orders (id, status, amount) VALUES (880101, 'before', 1)");
        expect(await stack.settle(60_000)).toBe(true);
        const ended = await db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_replication");
        expect(ended.rowCount).toBe(1);
        await db.query("INSERT INTO orders (id, status, amount) VALUES (880102, 'meanwhile', 1)");
        for (const deadline = Date.now() + 30_000; Date.now() < deadline; ) {
          if (said.includes("capture: reconnected; resuming from the replication slot")) break;
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
        expect(said).toContain("capture: reconnected; resuming from the replication slot");
        await db.query("UPDATE orders SET status = 'after' WHERE id = 880101");
        expect(await stack.settle(60_000)).toBe(true);
        expect(stack.captureFailure).toBeUndefined();
        expect((await verifyStack(stack)).differences).toEqual([]);
        expect((await stack.status()).captured).toBeGreaterThanOrEqual(3);
      },
      { log: (line) => said.push(line) },
    );
    expect(said.filter((line) => line.startsWith("capture: lost its database connection"))).toHaveLength(1);
  });

  it("sends a table's stored generated columns with each change, as DMS does (pgoutput leaves them out)", async () => {
    const config = configWith(
      "with-gadgets.yaml",
      "  public.gadgets:\n    primaryKey: [id]\n    columns: {total: {type: number, scale: 2}}\n    exclude: [secret]\n",
    );
    await withStack(
      async (_, db) => {
        await db.query(`CREATE TABLE gadgets (
          id int PRIMARY KEY, name text, price numeric(10,2), qty int, secret text,
          total numeric(12,2) GENERATED ALWAYS AS (price * qty) STORED,
          slug text GENERATED ALWAYS AS (lower(name) || '-' || coalesce(secret, '')) STORED,
          search tsvector GENERATED ALWAYS AS (to_tsvector('simple', name)) STORED,
          note text)`);
        await db.query(
          "INSERT INTO gadgets (id, name, price, qty, secret) VALUES (1, 'Loaded', 2.50, 2, 's1')",
        );
      },
      { pipelineConfig: config },
    );
    await withStack(
      async (stack, db) => {
        await db.query(
          "INSERT INTO gadgets (id, name, price, qty, secret) VALUES (2, 'Inserted', 1.25, 4, 's2')",
        );
        await db.query("UPDATE gadgets SET qty = 3 WHERE id = 1");
        // Only a column beside: the generated ones still come, computed from the row's other values.
        await db.query("UPDATE gadgets SET note = repeat('n', 5000) WHERE id = 2");
        await db.query("UPDATE gadgets SET note = 'short', name = 'Renamed' WHERE id = 2");
        // An excluded value the expression reads, stored out of line (TOAST) and left unchanged by the
        // update: not in the change, so the stored values are read from the table.
        await db.query(
          "INSERT INTO gadgets (id, name, price, qty, secret) SELECT 3, 'Toasted', 1, 1, string_agg(md5(g::text), '') FROM generate_series(1, 300) g",
        );
        await db.query("UPDATE gadgets SET qty = 2 WHERE id = 3");
        expect(await stack.settle(60_000)).toBe(true);
        const report = await verifyStack(stack);
        expect(report.differences).toEqual([]);
        const index = stack.pipeline.routingFor("public", "gadgets").index;
        const docs = await Promise.all(
          [1, 2].map(async (id) => {
            const response = await fetch(`${stack.opensearchUrl}/${index}/_doc/${id}`);
            return ((await response.json()) as { _source: Record<string, unknown> })._source;
          }),
        );
        expect(docs.map(({ total, slug, search }) => ({ total, slug, search }))).toEqual([
          { total: 7.5, slug: "loaded-s1", search: "'loaded':1" },
          { total: 5, slug: "renamed-s2", search: "'renamed':1" },
        ]);
        expect(docs.every((doc) => !("secret" in doc))).toBe(true);
      },
      { pipelineConfig: config },
    );
  });

  it("names a partitioned table configured as such, and mirrors one whose partitions are configured into one index", async () => {
    const withTables = (tables: string) => configWith("with-readings.yaml", tables);
    const config = withTables("  public.readings:\n    primaryKey: [id, at]\n");
    const said: string[] = [];
    await withStack(
      async (_, db) => {
        await db.query(
          "CREATE TABLE IF NOT EXISTS readings (id int, at date, v text, PRIMARY KEY (id, at)) PARTITION BY RANGE (at)",
        );
        await db.query(
          "CREATE TABLE IF NOT EXISTS readings_2026_11 PARTITION OF readings FOR VALUES FROM ('2026-11-01') TO ('2026-12-01')",
        );
        await db.query(
          "CREATE TABLE IF NOT EXISTS readings_2026_12 PARTITION OF readings FOR VALUES FROM ('2026-12-01') TO ('2027-01-01')",
        );
        await db.query("INSERT INTO readings VALUES (1, '2026-11-05', 'a'), (2, '2026-12-05', 'b')");
      },
      { pipelineConfig: config },
    );
    // Twice: a start with the table already published starts too.
    await withStack(async () => {}, { pipelineConfig: config });
    await withStack(async () => {}, { pipelineConfig: config, log: (line) => said.push(line) });
    expect(said).toContain(
      "config: public.readings is partitioned: DMS streams each change under the name of the partition that holds the row (public.readings_2026_11, public.readings_2026_12), which the task does not select, so its index would get the full load and then no change; configure its partitions instead, each with the same index: (they then share one index; a partition added later needs its own entry)",
    );

    withTables(
      ["11", "12"]
        .map((m) => `  public.readings_2026_${m}:\n    primaryKey: [id, at]\n    index: readings\n`)
        .join(""),
    );
    said.length = 0;
    await withStack(
      async (stack, db) => {
        await db.query("UPDATE readings SET v = 'a2' WHERE id = 1");
        await db.query("UPDATE readings SET at = '2026-11-20' WHERE id = 2"); // moves to the other partition
        await db.query("INSERT INTO readings VALUES (3, '2026-12-24', 'c')");
        await db.query("DELETE FROM readings WHERE id = 1");
        expect(await stack.settle(60_000)).toBe(true);
        const report = await verifyStack(stack);
        expect(report.differences).toEqual([]);
        expect(report.indices.find((i) => i.index.endsWith("readings"))).toMatchObject({
          expected: 2,
          actual: 2,
        });
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(said.filter((line) => line.startsWith("config: "))).toEqual([]);
  });

  it("names a view and a materialized view configured as tables (no change of them is captured), and verify names them too", async () => {
    const config = configWith(
      "with-views.yaml",
      "  public.paid_orders:\n    primaryKey: [id]\n  public.status_totals:\n    primaryKey: [status]\n",
    );
    const problems = [
      "public.paid_orders is a view: only tables are captured (logical replication, and so DMS, publishes no changes of it), so its index would get no row; configure the tables it reads instead, with a route (routes:, when:) for the rows it selects",
      "public.status_totals is a materialized view: only tables are captured (logical replication, and so DMS, publishes no changes of it), so its index would get no row; configure the tables it reads instead, with a route (routes:, when:) for the rows it selects",
    ];
    await withStack(
      async (_, db) => {
        await db.query("CREATE VIEW paid_orders AS SELECT * FROM orders WHERE status = 'paid'");
        await db.query(
          "CREATE MATERIALIZED VIEW status_totals AS SELECT status, sum(amount) AS total FROM orders GROUP BY status",
        );
      },
      { pipelineConfig: config },
    );
    const said: string[] = [];
    try {
      await withStack(
        async (stack) => {
          expect((await verifyStack(stack)).configProblems).toEqual(problems);
        },
        { pipelineConfig: config, log: (line) => said.push(line) },
      );
      expect(said.filter((line) => line.startsWith("config: "))).toEqual(problems.map((p) => `config: ${p}`));
    } finally {
      await withStack(
        async (_, db) => {
          await db.query("DROP VIEW paid_orders");
          await db.query("DROP MATERIALIZED VIEW status_totals");
        },
        { pipelineConfig: config },
      );
    }
  });

  it("keeps the stream's folder, which holds rows, readable by its owner only (as the index's and the DLQ's)", async () => {
    await withStack(async (stack, db) => {
      await db.query("INSERT INTO orders (id, status, amount) VALUES (880201, 'private', 1)");
      expect(await stack.settle(60_000)).toBe(true);
    });
    expect(statSync(join(dir, "kinesis")).mode & 0o777).toBe(0o700);
  });

  it("says once, at the next start, that a table's index changed in the routing config, with the reload that fills it", async () => {
    const config = join(dir, "orders-elsewhere.yaml");
    writeFileSync(
      config,
      readFileSync("config/pipeline.yaml", "utf8").replace("index: orders", "index: orders2"),
    );
    await withStack(async () => {});
    const said: string[] = [];
    await withStack(async () => {}, { pipelineConfig: config, log: (line) => said.push(line) });
    const prefix = options.indexPrefix ?? "";
    expect(said.filter((line) => line.startsWith("public.orders "))).toEqual([
      `public.orders now writes to index ${prefix}orders2 (was ${prefix}orders): rows written before are not in it; to fill it: npm run reload -- public.orders (${prefix}orders keeps its documents until deleted)`,
    ]);
    said.length = 0;
    await withStack(async () => {}, { pipelineConfig: config, log: (line) => said.push(line) });
    expect(said.filter((line) => line.startsWith("public.orders "))).toEqual([]);
  });

  it("says when its routing config is edited while it runs, once per edit, and how to apply it", async () => {
    const config = join(dir, "edited.yaml");
    const original = readFileSync("config/pipeline.yaml", "utf8");
    writeFileSync(config, original);
    const said: string[] = [];
    const notices = () => said.filter((line) => line.includes("changed: the running stack keeps"));
    const until = async (count: number) => {
      for (const deadline = Date.now() + 10_000; notices().length < count && Date.now() < deadline; )
        await new Promise((resolve) => setTimeout(resolve, 100));
      return notices().length;
    };
    await withStack(
      async () => {
        writeFileSync(config, original.replace("active: boolean", "active: string"));
        expect(await until(1)).toBe(1);
        writeFileSync(config, original.replace("active: boolean", "active: integer"));
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        expect(notices()).toHaveLength(1); // the same edit in progress: said once
        writeFileSync(config, original); // undone
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        writeFileSync(config, `${original}# a note\n`);
        expect(await until(2)).toBe(2);
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(notices()[0]).toBe(
      `${config} changed: the running stack keeps the config it started with; to apply the change, stop it (Ctrl-C) and npm start again`,
    );
  });

  it("names columns the routing config types or excludes that a migration renamed, at each start and in verify", async () => {
    const said: string[] = [];
    const log = (line: string) => said.push(line);
    await withStack(async (_, db) => {
      await db.query("ALTER TABLE orders RENAME COLUMN card_number TO card_no");
      await db.query("ALTER TABLE customers RENAME COLUMN preferences TO prefs");
    });
    const expected = [
      "config: public.orders: exclude names card_number, which the table does not have; a column renamed from it is indexed under its new name (and sent by DMS on a stage): exclude the new name",
      "config: public.customers: columns declares preferences, which the table does not have; a column renamed from it is indexed under its new name as DMS sends it, untyped: declare the new name",
    ];
    await withStack(
      async (stack) => {
        const report = await verifyStack(stack);
        expect(report.configProblems.map((p) => `config: ${p}`)).toEqual(expected);
      },
      { log },
    );
    expect(said.filter((line) => line.startsWith("config: "))).toEqual(expected);
    await withStack(async (_, db) => {
      await db.query("ALTER TABLE orders RENAME COLUMN card_no TO card_number");
      await db.query("ALTER TABLE customers RENAME COLUMN prefs TO preferences");
    });
  });

  it("names a configured table the database does not have, with the one whose name differs only in case", async () => {
    const config = configWith(
      "with-missing-tables.yaml",
      "  public.invoices:\n    index: invoices\n  public.no_such_table:\n    index: no_such_table\n",
    );
    await withStack(async (_, db) => {
      await db.query('CREATE TABLE IF NOT EXISTS "Invoices" (id int PRIMARY KEY, total text)');
    });
    const said: string[] = [];
    await withStack(async () => {}, { pipelineConfig: config, log: (line) => said.push(line) });
    expect(said.filter((line) => line.startsWith("config: "))).toEqual([
      "config: public.invoices is not a table in the database, so nothing of it is captured: the database has public.Invoices, whose name differs in case: names are matched as PostgreSQL spells them, so name it public.Invoices; a table created later is captured from the next npm start (a full load)",
      "config: public.no_such_table is not a table in the database, so nothing of it is captured: check the name (schema.table, case included); a table created later is captured from the next npm start (a full load)",
    ]);
    await withStack(async (_, db) => {
      await db.query('DROP TABLE "Invoices"');
    });
  });

  it("names a column OpenSearch refuses by name (a Mongo-style _id); its rows reach the DLQ with OpenSearch's reason, and indexing resumes once it is excluded", async () => {
    const withTable = (exclude: string) =>
      configWith(
        "with-mongo-docs.yaml",
        `  public.mongo_docs:\n    primaryKey: [id]\n    exclude: [${exclude}]\n`,
      );
    const config = withTable("");
    const said: string[] = [];
    await withStack(
      async (_, db) => {
        await db.query("CREATE TABLE mongo_docs (id int PRIMARY KEY, _id text, body text)");
      },
      { pipelineConfig: config },
    );
    await withStack(
      async (stack, db) => {
        await db.query("INSERT INTO mongo_docs VALUES (1, '65f0c0ffee', 'a')");
        expect(await stack.settle(60_000)).toBe(true);
        const dead = (await stack.deadLetters()).map((body) => JSON.parse(body) as PermanentFailureMessage);
        expect(dead.map((d) => [d.source.table, d.error.type, d.error.reason])).toEqual([
          [
            "public.mongo_docs",
            "mapper_parsing_exception",
            "Field [_id] is a metadata field and cannot be added inside a document. Use the index API request parameters.",
          ],
        ]);
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(said).toContain(
      "config: public.mongo_docs: column _id has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it",
    );
    withTable("_id");
    said.length = 0;
    await withStack(
      async (stack, db) => {
        await db.query("INSERT INTO mongo_docs VALUES (2, '65f0c0ffef', 'b')");
        expect(await stack.settle(60_000)).toBe(true);
        const docs = (await verifyStack(stack)).indices.find((i) => i.index.endsWith("mongo_docs"));
        expect(docs).toMatchObject({ expected: 2, actual: 1, differences: 1 }); // row 1 awaits its redrive
      },
      { pipelineConfig: config, log: (line) => said.push(line) },
    );
    expect(said.filter((line) => line.includes("mongo_docs: column"))).toEqual([]);
  });

  it("says when its database is new under an index that outlived the one before (PostgreSQL's data folder gone: a temp directory wiped at reboot)", async () => {
    await withStack(async (stack, db) => {
      await db.query("INSERT INTO customers (id, name, email) VALUES (424242, 'before', 'b@example.com')");
      expect(await stack.settle(60_000)).toBe(true);
    });
    rmSync(join(dir, "postgres"), { recursive: true, force: true });
    const said: string[] = [];
    await withStack(
      async (stack) => {
        expect(await stack.settle(60_000)).toBe(true);
        const extras = (await check(stack)).filter((d) => d.kind === "extra").map((d) => d.id);
        expect(extras).toContain("424242"); // the earlier database's document, in the index still
      },
      { log: (line) => said.push(line) },
    );
    expect(said).toContain(
      `PostgreSQL's data was not there, so its database is new: the index, the stream and the DLQ in ${dir} hold what came from the one before (verify lists its documents as extra); npm start -- --fresh starts them over too`,
    );
    // A start on the database it made says nothing more.
    said.length = 0;
    await withStack(async () => undefined, { log: (line) => said.push(line) });
    expect(said.filter((line) => line.startsWith("PostgreSQL's data was not there"))).toEqual([]);
  });

  it("loads every table again into a local index whose folder was deleted by hand (to empty it), and only then", async () => {
    // The stack's own emulator, with its data in the stack's folder.
    const own = { opensearchUrl: undefined };
    const loadedAgain = `${join(dir, "opensearch")} was not there, so the local index is new: every table is loaded into it again`;
    await withStack(async (stack, db) => {
      await db.query("INSERT INTO customers (id, name, email) VALUES (515151, 'kept', 'k@example.com')");
      expect(await stack.settle(60_000)).toBe(true);
    }, own);
    const said: string[] = [];
    await withStack(
      async (stack) => {
        expect(await stack.settle(60_000)).toBe(true);
        expect(stack.capture.stats.loaded).toBe(0);
        expect(await check(stack)).toEqual([]);
      },
      { ...own, log: (line) => said.push(line) },
    );
    expect(said).not.toContain(loadedAgain);

    rmSync(join(dir, "opensearch"), { recursive: true, force: true });
    await withStack(
      async (stack, db) => {
        expect(await stack.settle(60_000)).toBe(true);
        const rows = await db.query<{ n: number }>(
          `SELECT (SELECT count(*) FROM orders) + (SELECT count(*) FROM customers) + (SELECT count(*) FROM order_items) + (SELECT count(*) FROM business_events) AS n`,
        );
        expect(stack.capture.stats.loaded).toBe(Number(rows.rows[0]?.n));
        expect(await check(stack)).toEqual([]);
        const customer = await stack.search.get({
          index: stack.pipeline.routingFor("public", "customers").index,
          id: "515151",
        });
        expect(customer.body._source).toMatchObject({ name: "kept" });
      },
      { ...own, log: (line) => said.push(line) },
    );
    expect(said.filter((line) => line === loadedAgain)).toHaveLength(1);
  });
});
