/**
 * A capture on a database that outlives the stack's folder (DATABASE_URL): a restart resumes the slot
 * (changes made meanwhile are streamed, nothing is loaded again); a folder made new (`--fresh`, `.local`
 * deleted) starts over, dropping the old slot and loading every table, since the stream and index that
 * slot fed are gone. An active slot is never dropped.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { parseStreamArn } from "../../operator/redrive/messages";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { Capture, type CaptureOptions, slotFor } from "../../tools/local-stack/capture/capture";
import { ensureStream } from "../../tools/local-stack/kinesis";
import { LocalStack } from "../../tools/local-stack/stack";
import { useTestStack } from "../helpers/stack";
import { streamRecords } from "../helpers/stream-records";

const testStack = useTestStack();

/** A new database on the test stack's server, a client to it, and how to drop it again. */
async function anotherDatabase(name: string) {
  const { db, stack } = testStack();
  await db.query(`DROP DATABASE IF EXISTS "${name}"`);
  await db.query(`CREATE DATABASE "${name}"`);
  const url = new URL(stack.databaseUrl);
  url.pathname = `/${name}`;
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const drop = async () => {
    await client.end();
    await db.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  };
  return { url: url.href, client, drop };
}

/**
 * Another database of the server with a routing config of its own (`tables`, YAML): stacks on it (ephemeral,
 * no producer API), a client to it, and how to remove both.
 */
async function ownDatabase(name: string, tables: string) {
  const { url, client, drop } = await anotherDatabase(name);
  const dir = mkdtempSync(join(tmpdir(), `cdc-${name}-`));
  const config = join(dir, "pipeline.yaml");
  writeFileSync(config, `tables:\n${tables}`);
  return {
    client,
    stackOn: () =>
      new LocalStack({
        ephemeral: true,
        databaseUrl: url,
        pipelineConfig: config,
        producerApiPort: false,
        indexPrefix: `${name.replaceAll("_", "-")}-`,
      }),
    remove: async () => {
      rmSync(dir, { recursive: true, force: true });
      await drop();
    },
  };
}

/** A Kinesis client whose every request waits `ms` first (a stream busy with other work). */
function slowStream(endpoint: string | undefined, ms: number) {
  const kinesis = createKinesisClient("us-east-1", endpoint);
  kinesis.middlewareStack.add(
    (next) => async (args) => {
      await new Promise((r) => setTimeout(r, ms));
      return next(args);
    },
    { step: "initialize", name: "slowStream" },
  );
  return kinesis;
}

/** A capture of the test stack's tables from `databaseUrl` onto its stream, starting over. */
function captureOf(databaseUrl: string, kinesis: KinesisClient, more: Partial<CaptureOptions> = {}): Capture {
  const { stack } = testStack();
  return new Capture({
    databaseUrl,
    kinesis,
    streamName: parseStreamArn(stack.streamArn).name,
    tableMappings: dmsTableMappings(stack.pipeline),
    startOver: true,
    log: () => undefined,
    ...more,
  });
}

/** A position in the WAL after everything committed so far (a logical message). */
async function walMark(db: pg.ClientBase | pg.Pool): Promise<string> {
  const { rows } = await db.query<{ lsn: string }>(
    "SELECT pg_logical_emit_message(true, 'test', 'mark')::text AS lsn",
  );
  return rows[0]?.lsn as string;
}

describe("captures on two databases of one server", () => {
  it("each reads a replication slot of its own (slots are the server's), and a slot of the old name is kept", async () => {
    const { db, stack } = testStack();
    const other = "shop-two";
    const { url: otherUrl, client: otherDb, drop } = await anotherDatabase(other);
    const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
    const capture = captureOf(otherUrl, kinesis);
    try {
      await otherDb.query("CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount numeric)");
      // The stack's own capture runs on its database meanwhile, with its slot.
      expect(stack.capture.slotName).toBe("cdc_local_postgres");
      await capture.start();
      expect(capture.slotName).toBe(
        `cdc_local_shop_two_${createHash("sha256").update(other).digest("hex").slice(0, 6)}`,
      );
      await otherDb.query("INSERT INTO orders VALUES (1, 'other', 1)");
      expect(await capture.confirmedPast(await walMark(otherDb), 20_000)).toBe(true);
      expect(capture.stats.captured).toBe(1);
      await db.query("INSERT INTO orders (id, status, amount) VALUES (71001, 'this one', 1)");
      expect(await stack.settle(60_000)).toBe(true);
      await capture.stop();
      await otherDb.query("SELECT pg_drop_replication_slot($1)", [capture.slotName]);
      // A slot named as before names carried the database, made on this database: kept.
      await otherDb.query("SELECT pg_create_logical_replication_slot('cdc_local', 'pgoutput')");
      expect(await slotFor(otherDb)).toBe("cdc_local");
      expect(await slotFor(db)).toBe("cdc_local_postgres");
      await otherDb.query("SELECT pg_drop_replication_slot('cdc_local')");
    } finally {
      await capture.stop();
      kinesis.destroy();
      await drop();
    }
  });
});

/**
 * A psql session left in BEGIN after a write (on the test stack's database) while a capture of another
 * database of the server starts: `run` gets the capture (not started), what it says, and the session.
 */
async function withTransactionLeftOpen(
  database: string,
  rowId: number,
  run: (t: { capture: Capture; said: string[]; holder: pg.Client; holderPid: number }) => Promise<void>,
): Promise<void> {
  const { stack } = testStack();
  const { url: otherUrl, drop } = await anotherDatabase(database);
  const holder = new pg.Client({ connectionString: stack.databaseUrl });
  await holder.connect();
  const holderPid = (await holder.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
  await holder.query("BEGIN");
  await holder.query("INSERT INTO orders (id, status, amount) VALUES ($1, 'left open', 1)", [rowId]);
  const said: string[] = [];
  const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
  const capture = captureOf(otherUrl, kinesis, { log: (line) => said.push(line) });
  try {
    await run({ capture, said, holder, holderPid: holderPid as number });
  } finally {
    await holder.query("ROLLBACK").catch(() => undefined);
    await holder.end();
    await capture.stop();
    kinesis.destroy();
    await drop();
  }
}

describe("a capture's slot on a server with a transaction left open", () => {
  it("names the open transaction it waits for (as a DMS task's start waits), and starts once it ends", async () => {
    await withTransactionLeftOpen("shop-three", 71501, async ({ capture, said, holder, holderPid }) => {
      let started = false;
      const starting = capture.start().then(() => {
        started = true;
      });
      const named = () => said.find((line) => line.includes("waits for the transactions open on the server"));
      for (const deadline = Date.now() + 15_000; !named() && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 100));
      expect(started).toBe(false);
      expect(named()).toMatch(
        new RegExp(
          `creating the replication slot cdc_local_shop_three_\\w+ waits for the transactions open on the server to end: pid ${holderPid} \\(database postgres, user postgres, open \\d+ s, idle in transaction: "INSERT INTO orders .*"\\); commit or roll them back`,
        ),
      );
      await holder.query("COMMIT");
      await starting;
      expect(said.filter((line) => line.includes("waits for")).length).toBe(1);
    });
  });

  it("stops waiting when stopped (a Ctrl-C while npm start starts), keeping no slot", async () => {
    const { db } = testStack();
    await withTransactionLeftOpen("shop-four", 71502, async ({ capture, said }) => {
      const starting = capture.start();
      for (const deadline = Date.now() + 15_000; said.length === 0 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 50));
      expect(said.join("\n")).toContain("waits for the transactions open on the server");
      const stopped = Date.now();
      await capture.stop();
      await expect(starting).rejects.toThrow();
      expect(Date.now() - stopped).toBeLessThan(5_000); // not the transaction's end: it is still open
      const slots = await db.query("SELECT 1 FROM pg_replication_slots WHERE slot_name = $1", [
        capture.slotName,
      ]);
      expect(slots.rowCount).toBe(0);
    });
  });
});

describe("a transaction that takes longer to reach Kinesis than the server waits for a silent client", () => {
  it("keeps its replication connection (wal_sender_timeout), is sent once, and the changes after it follow", async () => {
    const { db, stack } = testStack();
    const { url: otherUrl, client: otherDb, drop } = await anotherDatabase("shop-five");
    await otherDb.query("CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount numeric)");
    // The server ends a replication connection it heard nothing from for 2 s (60 s by default); the
    // stream takes 0.7 s per request, 6 requests for the transaction's 3,000 records.
    await db.query("ALTER SYSTEM SET wal_sender_timeout = '2s'");
    await db.query("SELECT pg_reload_conf()");
    const kinesis = slowStream(stack.kinesisEndpoint, 700);
    const said: string[] = [];
    const capture = captureOf(otherUrl, kinesis, { standbyEveryMs: 500, log: (line) => said.push(line) });
    try {
      await capture.start();
      await otherDb.query("INSERT INTO orders SELECT g, 'bulk', g FROM generate_series(1, 3000) g");
      await otherDb.query("INSERT INTO orders VALUES (5000, 'after', 1)");
      expect(await capture.confirmedPast(await walMark(otherDb), 60_000)).toBe(true);
      expect(said.filter((line) => line.includes("replication error"))).toEqual([]);
      expect(capture.error).toBeUndefined();
      expect(capture.stats.captured).toBe(3001);
    } finally {
      await db.query("ALTER SYSTEM RESET wal_sender_timeout");
      await db.query("SELECT pg_reload_conf()");
      await capture.stop();
      kinesis.destroy();
      await drop();
    }
  });
});

describe("a large transaction", () => {
  it("goes to Kinesis in parts as it arrives, numbered on, and a capture stopped in its middle sends it again whole", async () => {
    const { stack } = testStack();
    const { url: otherUrl, client: otherDb, drop } = await anotherDatabase("shop-six");
    await otherDb.query("CREATE TABLE orders (id bigint PRIMARY KEY, status text, amount numeric)");
    const kinesis = slowStream(stack.kinesisEndpoint, 150);
    const streamName = "cdc-parts-test";
    await ensureStream(kinesis, streamName, 2);
    const capture = (startOver: boolean) =>
      captureOf(otherUrl, kinesis, { streamName, startOver, transactionPart: 100 });
    const first = capture(true);
    let second: Capture | undefined;
    try {
      await first.start();
      await otherDb.query("INSERT INTO orders SELECT g, 'bulk', g FROM generate_series(1, 1000) g");
      // Parts of it are on the stream before its end is handled; the capture is stopped there.
      for (const deadline = Date.now() + 30_000; first.stats.captured < 300 && Date.now() < deadline; )
        await new Promise((r) => setTimeout(r, 20));
      expect(first.stats.captured).toBeGreaterThanOrEqual(300);
      expect(first.stats.captured).toBeLessThan(1000);
      await first.stop();
      second = capture(false);
      await second.start();
      expect(await second.confirmedPast(await walMark(otherDb), 60_000)).toBe(true);
      expect(second.stats.captured).toBe(1000); // sent again whole

      const records = (await streamRecords(stack.kinesisEndpoint, streamName)).map(
        (text) =>
          JSON.parse(text) as {
            data: { id: number };
            metadata: { "transaction-record-id": number; "stream-position": string };
          },
      );
      const numbered = new Map<number, number>();
      for (const { data, metadata } of records) {
        expect(metadata["stream-position"].endsWith(`.${metadata["transaction-record-id"]}`)).toBe(true);
        numbered.set(metadata["transaction-record-id"], data.id);
      }
      // Every record numbered as in the transaction, the parts sent twice under the same numbers.
      expect([...numbered.keys()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      expect([...numbered.values()].sort((a, b) => a - b)).toEqual(
        Array.from({ length: 1000 }, (_, i) => i + 1),
      );
      expect(records.length).toBe(1000 + first.stats.captured);
    } finally {
      await first.stop();
      await second?.stop();
      kinesis.destroy();
      await drop();
    }
  });
});

describe("a stack on a server of one's own", () => {
  it("says a database that is not UTF8 (as Aurora's are) takes text a stage would refuse", async () => {
    const { db, stack } = testStack();
    const dir = mkdtempSync(join(tmpdir(), "cdc-encoding-"));
    const config = join(dir, "pipeline.yaml");
    writeFileSync(config, "tables:\n  public.notes:\n    primaryKey: [id]\n");
    // A stack hands its config to the indexer through PIPELINE_CONFIG, which later stacks of this process read.
    const configBefore = process.env.PIPELINE_CONFIG;
    const saidOn = async (name: string, encoding: string) => {
      await db.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await db.query(
        `CREATE DATABASE ${name} ENCODING '${encoding}' LOCALE_PROVIDER libc LOCALE 'C' TEMPLATE template0`,
      );
      const url = new URL(stack.databaseUrl);
      url.pathname = `/${name}`;
      const said: string[] = [];
      const other = new LocalStack({
        ephemeral: true,
        databaseUrl: url.href,
        pipelineConfig: config,
        producerApiPort: false,
        indexPrefix: `${name.replaceAll("_", "-")}-`,
        log: (line) => said.push(line),
      });
      try {
        await other.start();
      } finally {
        await other.stop();
        await db.query(`DROP DATABASE ${name} WITH (FORCE)`);
      }
      return said.filter((line) => line.includes("encoding"));
    };
    try {
      expect(await saidOn("ascii_db", "SQL_ASCII")).toEqual([
        "the database's encoding is SQL_ASCII, not UTF8 as Aurora's: it takes text a stage would refuse",
      ]);
      expect(await saidOn("utf8_db", "UTF8")).toEqual([]);
    } finally {
      if (configBefore === undefined) delete process.env.PIPELINE_CONFIG;
      else process.env.PIPELINE_CONFIG = configBefore;
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses at start, saying what to grant, a database user that cannot read changes", async () => {
    const { db, stack } = testStack();
    await db.query("DROP ROLE IF EXISTS plain_user");
    await db.query("CREATE ROLE plain_user LOGIN PASSWORD 'plain-pw'");
    const url = new URL(stack.databaseUrl);
    url.username = "plain_user";
    url.password = "plain-pw";
    const other = new LocalStack({ ephemeral: true, databaseUrl: url.href, producerApiPort: false });
    try {
      await expect(other.start()).rejects.toThrow(
        'the database user plain_user cannot read changes: give it the REPLICATION attribute (ALTER ROLE "plain_user" REPLICATION), as DMS\'s user has rds_replication on a stage',
      );
    } finally {
      await other.stop();
      await db.query("DROP ROLE plain_user");
    }
  });
});

describe("a stack with parts of one's own that do not answer", () => {
  it("names the part and its setting, without a password", async () => {
    const { stack } = testStack();
    const refusing = "http://127.0.0.1:9";
    const failure = async (options: ConstructorParameters<typeof LocalStack>[0]) => {
      const other = new LocalStack({ ephemeral: true, producerApiPort: false, ...options });
      try {
        return await other.start().then(
          () => "started",
          (error: Error) => error.message,
        );
      } finally {
        await other.stop();
      }
    };
    expect(await failure({ databaseUrl: "postgres://app:s3cret@127.0.0.1:9/app" })).toBe(
      "the database (DATABASE_URL=postgres://app:****@127.0.0.1:9/app): connect ECONNREFUSED 127.0.0.1:9",
    );
    const db = { databaseUrl: stack.databaseUrl };
    expect(await failure({ ...db, opensearchUrl: refusing })).toBe(
      `OpenSearch (OPENSEARCH_URL=${refusing}): connect ECONNREFUSED 127.0.0.1:9`,
    );
    const search = { ...db, opensearchUrl: stack.opensearchUrl };
    expect(await failure({ ...search, kinesisEndpoint: refusing })).toMatch(
      /^Kinesis \(AWS_ENDPOINT_URL_KINESIS=http:\/\/127\.0\.0\.1:9\): .*ECONNREFUSED/,
    );
    expect(await failure({ ...search, sqsEndpoint: refusing })).toMatch(
      /^SQS \(AWS_ENDPOINT_URL_SQS=http:\/\/127\.0\.0\.1:9\): .*ECONNREFUSED/,
    );
  });
});

describe("a stack on a database of one's own with a routing config of its own", () => {
  it("creates none of the demo's tables there", async () => {
    const {
      client: own,
      stackOn,
      remove,
    } = await ownDatabase("own_app", "  public.orders:\n    primaryKey: [id]\n");
    const other = stackOn();
    try {
      // The application's own orders table, which the demo's would otherwise alter.
      await own.query("CREATE TABLE orders (id bigint PRIMARY KEY, total numeric)");
      await other.start();
      const { rows } = await own.query<{ table: string | null; column: string }>(
        `SELECT to_regclass('public.customers')::text AS table,
                string_agg(attname, ',' ORDER BY attnum) AS column
           FROM pg_attribute WHERE attrelid = 'public.orders'::regclass AND attnum > 0 AND NOT attisdropped`,
      );
      expect(rows[0]).toEqual({ table: null, column: "id,total" });
    } finally {
      await other.stop();
      await remove();
    }
  });
});

describe("a Ctrl-C while a large full load runs", () => {
  it("ends the start at the load's next page, and the next start loads the table whole", async () => {
    const rows = 30_000;
    const {
      client: own,
      stackOn,
      remove,
    } = await ownDatabase("big_load", "  public.items:\n    primaryKey: [id]\n");
    try {
      await own.query("CREATE TABLE items (id int PRIMARY KEY, v text)");
      await own.query("INSERT INTO items SELECT g, repeat('x', 200) FROM generate_series(1, $1) g", [rows]);
      const first = stackOn();
      const starting = first.start();
      const loadStarted = Date.now() + 60_000;
      while (!((first.capture as Capture | undefined)?.stats.loaded ?? 0) && Date.now() < loadStarted)
        await new Promise((r) => setTimeout(r, 2));
      first.abortStart(); // what npm start does on a Ctrl-C while it starts
      await expect(starting).rejects.toThrow();
      const loaded = first.capture.stats.loaded;
      await first.stop();
      expect(loaded).toBeGreaterThan(0);
      expect(loaded).toBeLessThan(rows);
      const done = await own.query("SELECT 1 FROM cdc_local.loaded_tables WHERE table_name = 'public.items'");
      expect(done.rowCount).toBe(0);

      const second = stackOn();
      await second.start();
      try {
        expect(second.capture.stats.loaded).toBe(rows);
      } finally {
        await second.stop();
      }
    } finally {
      await remove();
    }
  });
});

describe("a capture on a database of one's own", () => {
  it("resumes its slot across restarts and starts over with a full load when its folder is new", async () => {
    const { db, stack } = testStack();
    const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
    const logged: string[] = [];
    const capture = (startOver: boolean) =>
      new Capture({
        databaseUrl: stack.databaseUrl,
        kinesis,
        streamName: parseStreamArn(stack.streamArn).name,
        tableMappings: dmsTableMappings(stack.pipeline),
        slotName: "own_db_slot",
        publicationName: "own_db_pub",
        startOver,
        log: (line) => logged.push(line),
      });
    try {
      await db.query("INSERT INTO orders (id, status, amount) VALUES (70, 'first', 1)");
      const first = capture(true); // no slot yet: starting over is just starting
      await first.start();
      expect(first.stats.loaded).toBeGreaterThan(0);
      await first.stop();

      await db.query("INSERT INTO orders (id, status, amount) VALUES (71, 'while stopped', 1)");
      const resumed = capture(false);
      await resumed.start();
      expect(await resumed.confirmedPast(await walMark(db), 20_000)).toBe(true);
      expect(resumed.stats.loaded).toBe(0);
      expect(resumed.stats.captured).toBeGreaterThanOrEqual(1); // the row inserted while stopped

      // Another capture while this one runs: the slot is in use and is not dropped.
      const second = capture(true);
      await expect(second.start()).rejects.toThrow(/replication slot own_db_slot is in use/);
      await second.stop();
      await resumed.stop();

      const over = capture(true);
      await over.start();
      expect(logged.some((l) => l.startsWith("capture: dropped the replication slot own_db_slot"))).toBe(
        true,
      );
      expect(over.stats.loaded).toBeGreaterThan(1);
      await over.stop();
    } finally {
      await db.query(
        "SELECT pg_drop_replication_slot('own_db_slot') WHERE EXISTS (SELECT 1 FROM pg_replication_slots WHERE slot_name = 'own_db_slot' AND NOT active)",
      );
      kinesis.destroy();
    }
  });
});
