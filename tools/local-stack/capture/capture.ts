/**
 * Local stand-in for AWS DMS CDC: logical replication (`pgoutput`) from a publication, each committed
 * transaction written to Kinesis as DMS records, and the slot's position confirmed only after Kinesis
 * accepted all of them. A crash or restart therefore re-sends at most the transactions that were not
 * confirmed yet (harmless: the indexer's versions make duplicates no-ops) and never loses one.
 * Tables that join the publication are first fully loaded (`load` records), as a DMS full-load-and-CDC task.
 */

import { createHash } from "node:crypto";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import pg from "pg";
import { LogicalReplicationService, type Pgoutput, PgoutputPlugin } from "pg-logical-replication";
import { capturedRelation, loadRecordPages } from "../../../operator/lib/dms/full-load";
import {
  type Change,
  type CommittedTransaction,
  type KinesisEntry,
  type Relation,
  type Tuple,
  transactionRecords,
} from "../../../operator/lib/dms/records";
import { MAX_RECORD_BYTES, putAll } from "../../../operator/lib/kinesis-put";
import { backoffDelay } from "../../../shared/backoff";
import { ensureReplicaIdentity } from "../../../shared/captured-keys";
import type { Partitioning } from "../../../shared/dms-settings";
import {
  type CaptureSelection,
  readTableMappings,
  type TableMappings,
} from "../../../shared/dms-table-mappings";
import { ownValue, setOwn } from "../../../shared/own-properties";
import { quotedTable } from "../../../shared/table-name";
import { LOCAL_RETRY } from "../retry";
import { fillGenerated, type GeneratedColumns, generatedColumnsOf } from "./generated-columns";
import { describeOpenTransactions, openTransactions, sayingWhatSlotCreationWaitsFor } from "./slot-wait";

/** How often the capture looks for configured tables that did not exist at its start. */
const TABLE_WATCH_MS = 5_000;

/** Which of these `schema.table` names are tables in the database. */
async function existingTables(db: Pick<pg.Pool, "query">, names: string[]): Promise<string[]> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT n.nspname || '.' || c.relname AS name FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind IN ('r', 'p') AND n.nspname || '.' || c.relname = ANY($1)`,
    [names],
  );
  return rows.map((r) => r.name);
}

/** Kinesis errors no retry changes: the request itself is invalid. */
const PERMANENT_PUT_ERRORS = new Set(["ValidationException", "InvalidArgumentException"]);

/** An error message short enough for a log line (Kinesis echoes whole values back). */
const brief = (message: string) => (message.length > 300 ? `${message.slice(0, 300)}…` : message);

export type CaptureOptions = {
  databaseUrl: string;
  kinesis: KinesisClient;
  streamName: string;
  /**
   * The DMS task's table mappings (`dmsTableMappings` of the routing config): the tables it selects are
   * published, and the columns it removes are dropped before any record is written, as DMS does.
   */
  tableMappings: TableMappings;
  /** How records are keyed on the stream, as the DMS task's settings say (default primary-key). */
  partitioning?: Partitioning;
  slotName?: string;
  /**
   * The stream and index this capture feeds are new (a `--fresh` start, `.local` deleted) while the
   * database is not (DATABASE_URL): a slot left there by an earlier stack is dropped, so the capture
   * starts over with a full load instead of resuming where that stack's (gone) stream stopped.
   */
  startOver?: boolean;
  publicationName?: string;
  /** Load existing rows of tables that join the publication (default true). */
  fullLoad?: boolean;
  /**
   * Load every table again, loaded before or not, resuming the slot: the index is new while the stream
   * and the slot are not (its folder deleted by hand).
   */
  loadEveryTable?: boolean;
  /** Rows per full-load read (default 1000). */
  loadBatchRows?: number;
  /** Called after each full-load batch is in Kinesis (tests commit changes in the middle of a load). */
  onLoadBatch?: (table: string, rowsSent: number) => Promise<void> | void;
  log?: (message: string) => void;
  /**
   * How often the capture tells the server it is there (a standby status update at the position it
   * confirmed) while it handles what it received (default 10 s; the server ends a replication connection
   * silent for its wal_sender_timeout, 60 s by default).
   */
  standbyEveryMs?: number;
  /** Changes of a transaction sent to Kinesis together, before its end arrives (default 5,000). */
  transactionPart?: number;
};

/** Changes of one transaction sent to Kinesis together (publishIfFull). */
const TRANSACTION_PART = 5_000;

/** The transaction being received: its changes not sent yet, and how many were. */
type ReceivedTransaction = CommittedTransaction & { sent: number };

export type CaptureStats = {
  /** Change records written to Kinesis (CDC and load). */
  captured: number;
  loaded: number;
  transactions: number;
  /** Records left out because they are larger than a Kinesis record. */
  tooLarge: number;
  /** Commit time (epoch µs) of the last confirmed transaction. */
  lastCommitMicros: bigint;
};

/** pgoutput with values left as PostgreSQL text: DMS rendering needs the text, not JS conversions. */
class TextPgoutputPlugin extends PgoutputPlugin {
  constructor(options: ConstructorParameters<typeof PgoutputPlugin>[0]) {
    super(options);
    const parser = (this as unknown as { parser: { readRelationColumn(reader: unknown): object } }).parser;
    const read = parser.readRelationColumn.bind(parser);
    parser.readRelationColumn = (reader) => ({ ...read(reader), parser: (text: string) => text });
  }
}

const lsnValue = (lsn: string) => {
  const [high, low] = lsn.split("/");
  return (BigInt(`0x${high}`) << 32n) | BigInt(`0x${low}`);
};
/**
 * The capture's replication slot on the connected database. Slots belong to the server, not to one of its
 * databases, so two stacks on two databases of one server (DATABASE_URL) each need their own:
 * `cdc_local_<database>` (made safe for a slot name, with a short hash when that changed it). A
 * `cdc_local` of this database, from before names carried the database, is kept.
 */
export async function slotFor(client: Pick<pg.Client, "query">): Promise<string> {
  const { rows } = await client.query<{ database: string; legacy: boolean }>(
    `SELECT current_database() AS database,
            EXISTS (SELECT 1 FROM pg_replication_slots
                     WHERE slot_name = 'cdc_local' AND database = current_database()) AS legacy`,
  );
  const { database, legacy } = rows[0] as { database: string; legacy: boolean };
  if (legacy) return "cdc_local";
  const safe = database
    .toLowerCase()
    .replace(/[^a-z0-9_]/g, "_")
    .slice(0, 40);
  const hash = createHash("sha256").update(database).digest("hex").slice(0, 6);
  return safe === database ? `cdc_local_${safe}` : `cdc_local_${safe}_${hash}`;
}

const CONNECTION_ERRORS = new Set(["ECONNREFUSED", "ECONNRESET", "EPIPE", "ETIMEDOUT", "EHOSTUNREACH"]);

/**
 * Whether a capture failed because its database connection went (the server stopped or restarted, a
 * failover, its walsender terminated): connection exceptions (SQLSTATE 08), operator intervention (57P),
 * a socket error, or the client's "Connection terminated". Such a capture can resume from its slot.
 */
export function isConnectionLoss(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === "string" && (/^(08|57P)/.test(code) || CONNECTION_ERRORS.has(code))) return true;
  return /^Connection terminated/.test(error.message);
}

const lsnText = (value: bigint) =>
  `${(value >> 32n).toString(16).toUpperCase()}/${(value & 0xffffffffn).toString(16).toUpperCase()}`;
/**
 * Whether the replication library has handed every message it received to the capture and the capture
 * has handled it (its queue and its busy flag are internal: when they are not there, never).
 */
function drained(service: LogicalReplicationService): boolean {
  const internals = service as unknown as { _messageQueue?: unknown[]; _processing?: boolean };
  return (
    Array.isArray(internals._messageQueue) &&
    internals._messageQueue.length === 0 &&
    internals._processing === false
  );
}
const nowMicros = () => BigInt(Date.now()) * 1000n;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function toRelation(r: Pgoutput.MessageRelation): Relation {
  return {
    schema: r.schema,
    name: r.name,
    columns: r.columns.map((c) => ({ name: c.name, typeOid: c.typeOid })),
    keyColumns: r.keyColumns,
  };
}

export class Capture {
  readonly stats: CaptureStats = {
    captured: 0,
    loaded: 0,
    transactions: 0,
    tooLarge: 0,
    lastCommitMicros: 0n,
  };
  /** The replication slot (slotFor; resolved when the capture first reaches the database). */
  private slot: string;
  private readonly publication: string;
  private readonly log: (message: string) => void;
  private readonly abort = new AbortController();
  private readonly lookups: pg.Pool;
  private readonly selection: CaptureSelection;
  private readonly relations = new WeakMap<Pgoutput.MessageRelation, Relation>();
  /** Per relation (a new one after each schema change): its generated columns, looked up once. */
  private readonly generated = new WeakMap<Relation, Promise<GeneratedColumns | undefined>>();
  private service: LogicalReplicationService | undefined;
  private current: ReceivedTransaction | undefined;
  private prevXid: number | undefined;
  private confirmedLsn = "0/0";
  private standby: NodeJS.Timeout | undefined;
  private handling: Promise<void> = Promise.resolve();
  private failed: Error | undefined;
  /** The cancel of a slot creation a stop() cut short, which stop() lets finish before ending the pool. */
  private cancelling: Promise<unknown> = Promise.resolve();

  constructor(private readonly options: CaptureOptions) {
    this.slot = options.slotName ?? "";
    this.publication = options.publicationName ?? "cdc_local";
    this.log = options.log ?? (() => {});
    this.lookups = new pg.Pool({ connectionString: options.databaseUrl, max: 1 });
    // An idle connection the server ends (a restart, a terminate) is dropped; the next lookup reconnects.
    this.lookups.on("error", () => undefined);
    this.selection = readTableMappings(options.tableMappings);
  }

  /**
   * Prepares publication and slot, runs any full load, then streams changes until stop(). A stop() while
   * it starts (a Ctrl-C) ends a full load at its next page, recorded as not done: the next start loads
   * the tables again, whole.
   */
  async start(): Promise<void> {
    const { toLoad, missing } = await this.prepare();
    this.abort.signal.throwIfAborted();
    if (toLoad.length > 0 && this.options.fullLoad !== false) await this.fullLoad(toLoad);
    this.abort.signal.throwIfAborted();
    await this.stream();
    this.watchForTables(missing);
  }

  /**
   * A configured table that did not exist at start is captured from the next start on (its rows by a
   * full load then): say so once it appears, so a person who creates it now knows to restart.
   */
  private watchForTables(missing: string[]): void {
    if (missing.length === 0) return;
    const waiting = new Set(missing);
    const timer = setInterval(async () => {
      const found = await existingTables(this.lookups, [...waiting]).catch(() => []);
      for (const name of found) {
        waiting.delete(name);
        this.log(
          `capture: ${name} was created after the start; restart npm start to capture it (a full load)`,
        );
      }
      if (waiting.size === 0) clearInterval(timer);
    }, TABLE_WATCH_MS);
    timer.unref();
    this.abort.signal.addEventListener("abort", () => clearInterval(timer));
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error("capture stopped"));
    clearInterval(this.standby);
    await this.handling.catch(() => undefined);
    if (this.service) {
      await this.service.stop().catch(() => undefined);
      await this.slotReleased(3_000).catch(() => undefined);
    }
    await this.cancelling;
    await this.lookups.end().catch(() => undefined);
  }

  /**
   * Resolves once the server has let the slot go: its walsender ends a moment after the replication
   * connection closes, and until then the slot is "active" (a start that follows at once, or a
   * pg_drop_replication_slot, would be refused).
   */
  private async slotReleased(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { rows } = await this.lookups.query<{ active: boolean }>(
        "SELECT active FROM pg_replication_slots WHERE slot_name = $1",
        [this.slot],
      );
      if (!rows[0]?.active || Date.now() > deadline) return;
      await sleep(20);
    }
  }

  /**
   * Resolves once every transaction committed up to `lsn` is in Kinesis and confirmed (false on timeout).
   * Use with `pg_logical_emit_message(true, …)`, whose transaction the capture confirms like any other.
   */
  async confirmedPast(lsn: string, timeoutMs: number): Promise<boolean> {
    const target = lsnValue(lsn);
    const deadline = Date.now() + timeoutMs;
    while (lsnValue(this.confirmedLsn) < target) {
      if (this.failed || Date.now() > deadline) return false;
      await sleep(20);
    }
    return true;
  }

  /** The error that stopped the capture, if any. */
  get error(): Error | undefined {
    return this.failed;
  }

  /** The replication slot this capture reads (its database's: slotFor). */
  get slotName(): string {
    return this.slot;
  }

  private async prepare(): Promise<{ toLoad: string[]; missing: string[] }> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    client.on("error", () => undefined); // a connection the server ends fails the query under way instead
    await client.connect();
    try {
      this.slot ||= await slotFor(client);
      const existing = await existingTables(client, this.selection.tables);
      const quoted = (name: string) => quotedTable(name, client);
      const pub = client.escapeIdentifier(this.publication);
      const hasPublication = (
        await client.query("SELECT 1 FROM pg_publication WHERE pubname = $1", [this.publication])
      ).rowCount;
      if (!hasPublication) await client.query(`CREATE PUBLICATION ${pub}`);
      // Its members as added (pg_publication_tables would list a partitioned table's partitions instead,
      // and adding the table again fails the start).
      const published = new Set(
        (
          await client.query<{ name: string }>(
            `SELECT n.nspname || '.' || c.relname AS name
               FROM pg_publication_rel r
               JOIN pg_publication p ON p.oid = r.prpubid
               JOIN pg_class c ON c.oid = r.prrelid
               JOIN pg_namespace n ON n.oid = c.relnamespace
              WHERE p.pubname = $1`,
            [this.publication],
          )
        ).rows.map((r) => r.name),
      );
      // Before a table is published: without a replica identity PostgreSQL would refuse its updates and
      // deletes (a table without a primary key), as the database bootstrap sees to on a stage.
      for (const table of await ensureReplicaIdentity(client, existing))
        this.log(`capture: ${table} has no primary key: REPLICA IDENTITY FULL set, as on a stage`);
      for (const table of existing)
        if (!published.has(table)) await client.query(`ALTER PUBLICATION ${pub} ADD TABLE ${quoted(table)}`);

      await client.query(`CREATE SCHEMA IF NOT EXISTS cdc_local;
        CREATE TABLE IF NOT EXISTS cdc_local.loaded_tables (
          slot_name text NOT NULL, table_name text NOT NULL, loaded_at timestamptz NOT NULL DEFAULT now(),
          PRIMARY KEY (slot_name, table_name))`);
      const slot = (
        await client.query<{ active: boolean }>(
          "SELECT active FROM pg_replication_slots WHERE slot_name = $1",
          [this.slot],
        )
      ).rows[0];
      if (slot && this.options.startOver) {
        if (slot.active)
          throw new Error(
            `the replication slot ${this.slot} is in use (another npm start on this database?)`,
          );
        await client.query("SELECT pg_drop_replication_slot($1)", [this.slot]);
        this.log(
          `capture: dropped the replication slot ${this.slot} an earlier stack left on the database (its stream and index are gone); starting over with a full load`,
        );
      }
      if (!slot || this.options.startOver) {
        const slot = this.slot;
        const self = (await client.query<{ pid: number }>("SELECT pg_backend_pid() AS pid")).rows[0]?.pid;
        // Tables loaded for an earlier slot of this name are not loaded for the new one; cleared first, so
        // that a creation cut short (below) never leaves them to a slot made after all.
        await client.query("DELETE FROM cdc_local.loaded_tables WHERE slot_name = $1", [this.slot]);
        // A stop() (a Ctrl-C while starting) does not wait for the transactions the creation waits for:
        // it is cancelled, and a slot not yet made is not kept.
        this.abort.signal.throwIfAborted(); // stopped before this point: no creation to cancel
        const cancel = () => {
          this.cancelling = this.lookups.query("SELECT pg_cancel_backend($1)", [self]).catch(() => undefined);
        };
        this.abort.signal.addEventListener("abort", cancel, { once: true });
        try {
          await sayingWhatSlotCreationWaitsFor(
            client.query("SELECT pg_create_logical_replication_slot($1, 'pgoutput')", [slot]),
            () => openTransactions(this.lookups, self ?? 0),
            this.log,
            (open) => describeOpenTransactions(slot, open),
          );
        } finally {
          this.abort.signal.removeEventListener("abort", cancel);
        }
        this.log(`capture: created replication slot ${this.slot}`);
        this.abort.signal.throwIfAborted();
      }
      const loaded = new Set(
        (
          await client.query<{ table_name: string }>(
            "SELECT table_name FROM cdc_local.loaded_tables WHERE slot_name = $1",
            [this.slot],
          )
        ).rows.map((r) => r.table_name),
      );
      return {
        toLoad: this.options.loadEveryTable ? existing : existing.filter((t) => !loaded.has(t)),
        missing: this.selection.tables.filter((t) => !existing.includes(t)),
      };
    } finally {
      await client.end();
    }
  }

  /**
   * Reads the tables in one snapshot taken after the slot exists, as DMS full-load-and-cdc does: load
   * records first, stamped with the time each is built (later than the commits of changes made during the
   * load), then the changes committed meanwhile, which the slot streams once the load is done.
   */
  private async fullLoad(tables: string[]): Promise<void> {
    const client = new pg.Client({ connectionString: this.options.databaseUrl });
    // The server may end this connection between two pages (a terminate, a restart, a session timeout):
    // unheard, that error event ends the process; heard, the next page fails, and the load with it, below.
    let ended: Error | undefined;
    client.on("error", (error: Error) => {
      ended ??= error;
    });
    await client.connect();
    const batchRows = this.options.loadBatchRows ?? 1000;
    let loading: string | undefined;
    try {
      await client.query("SET TimeZone = 'UTC'");
      await client.query("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY");
      for (const table of tables) {
        loading = table;
        let sent = 0;
        for await (const entries of loadRecordPages(client, table, this.selection, batchRows)) {
          this.abort.signal.throwIfAborted();
          await this.put(entries);
          this.stats.loaded += entries.length;
          sent += entries.length;
          await this.options.onLoadBatch?.(table, sent);
        }
        this.log(`capture: full load of ${table} sent`);
      }
      await client.query("COMMIT");
      await client.query(
        "INSERT INTO cdc_local.loaded_tables (slot_name, table_name) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING",
        [this.slot, tables],
      );
    } catch (error) {
      if (this.abort.signal.aborted || !ended) throw error;
      throw new Error(
        `full load of ${loading ?? tables.join(", ")} stopped: the database ended its connection (${ended.message}); npm start again loads the tables whole`,
        { cause: ended },
      );
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async stream(): Promise<void> {
    const service = new LogicalReplicationService(
      { connectionString: this.options.databaseUrl, options: "-c TimeZone=UTC" },
      { acknowledge: { auto: false, timeoutSeconds: 0 }, flowControl: { enabled: true } },
    );
    this.service = service;
    // While it handles a transaction the library reads nothing more (flow control), so the server's
    // keepalive requests wait unread: a transaction that takes longer than wal_sender_timeout to reach
    // Kinesis (a few hundred thousand rows, a slow stream) had its connection ended, and after each
    // reconnect it was sent again from the slot, forever, holding back every later change. A status
    // update at the confirmed position (never past it) keeps the connection, whatever is in hand.
    clearInterval(this.standby);
    this.standby = setInterval(() => {
      if (this.failed || this.abort.signal.aborted) return;
      service.acknowledge(this.confirmedLsn).catch(() => undefined);
    }, this.options.standbyEveryMs ?? 10_000);
    this.standby.unref();
    service.on("data", (_lsn: string, message: Pgoutput.Message) => {
      this.handling = this.handling.then(() => this.onMessage(message));
      return this.handling;
    });
    service.on("heartbeat", async (lsn: string, _time: number, shouldRespond: boolean) => {
      if (!shouldRespond) return;
      // Idle (no transaction open, every message received handled): all the server sent before this
      // keepalive is in Kinesis and confirmed, so its position (the end of what it sent, past WAL of
      // tables not published) is confirmed too. Else the slot would hold that WAL, and a server told to
      // shut down would wait for this confirmation forever (its walsender waits for exactly that position).
      // The library confirms lsn + 1: the position minus one confirms it exactly.
      if (this.current === undefined && !this.failed && drained(service)) {
        const position = lsnValue(lsn) - 1n;
        if (position > lsnValue(this.confirmedLsn)) this.confirmedLsn = lsnText(position);
      }
      await service.acknowledge(this.confirmedLsn);
    });
    service.on("error", (error: Error) => {
      if (this.abort.signal.aborted) return;
      this.failed ??= error;
      this.log(`capture: replication error: ${error.message}`);
    });
    const started = new Promise<void>((resolve) => service.once("start", () => resolve()));
    service
      .subscribe(
        new TextPgoutputPlugin({ protoVersion: 1, publicationNames: [this.publication], messages: true }),
        this.slot,
      )
      .catch((error: Error) => {
        if (!this.abort.signal.aborted) this.failed ??= error;
      });
    await Promise.race([
      started,
      new Promise((_, reject) =>
        setTimeout(() => reject(this.failed ?? new Error("replication did not start within 10 s")), 10_000),
      ),
    ]);
  }

  private relation(r: Pgoutput.MessageRelation): Relation {
    let relation = this.relations.get(r);
    if (!relation) {
      relation = capturedRelation(toRelation(r), this.selection);
      this.relations.set(r, relation);
    }
    return relation;
  }

  private async onMessage(message: Pgoutput.Message): Promise<void> {
    if (this.failed || this.abort.signal.aborted) return; // nothing after a failure may be confirmed
    switch (message.tag) {
      case "begin":
        this.current = {
          xid: message.xid,
          commitMicros: message.commitTime as bigint,
          commitLsn: message.commitLsn ?? "0/0",
          ...(this.prevXid !== undefined && { prevXid: this.prevXid }),
          changes: [],
          sent: 0,
        };
        return;
      case "insert":
        this.current?.changes.push({
          kind: "insert",
          relation: this.relation(message.relation),
          row: message.new,
        });
        return this.publishIfFull();
      case "update":
        this.current?.changes.push({
          kind: "update",
          relation: this.relation(message.relation),
          row: message.new,
          oldKey: message.key ?? message.old,
        });
        return this.publishIfFull();
      case "delete":
        this.current?.changes.push({
          kind: "delete",
          relation: this.relation(message.relation),
          old: (message.key ?? message.old ?? {}) as Tuple,
        });
        return this.publishIfFull();
      case "truncate":
        this.log(
          `capture: TRUNCATE of ${message.relations.map((r) => `${r.schema}.${r.name}`).join(", ")} is not replicated (as with DMS); npm run verify shows the documents left; to repair, delete the index and npm run reload the table`,
        );
        return;
      case "commit":
        await this.commit(message);
        return;
      default:
        return;
    }
  }

  /**
   * A transaction reaches the capture only once committed (pgoutput decodes it at its commit), so its
   * changes may go to Kinesis before its end arrives: in parts of `transactionPart` changes, so a
   * transaction of millions of rows needs memory for one part, not for all of it. It is confirmed at its
   * end only: a capture stopped in the middle sends it again, whole, from the slot (the indexer's
   * versions make the parts sent twice harmless), as DMS does after a restart.
   */
  private async publishIfFull(): Promise<void> {
    const tx = this.current;
    if (!tx || tx.changes.length < (this.options.transactionPart ?? TRANSACTION_PART)) return;
    try {
      await this.publish(tx);
    } catch (error) {
      this.failOn(tx, error as Error);
    }
  }

  /** The transaction's changes received and not yet sent: to Kinesis, numbered after those sent. */
  private async publish(tx: ReceivedTransaction): Promise<void> {
    if (tx.changes.length === 0) return;
    await this.fillUnchangedToast(tx.changes);
    await this.fillGeneratedColumns(tx.changes);
    await this.put(transactionRecords(tx, nowMicros(), this.options.partitioning, tx.sent));
    this.stats.captured += tx.changes.length;
    tx.sent += tx.changes.length;
    tx.changes = [];
  }

  private failOn(tx: ReceivedTransaction, error: Error): void {
    if (this.abort.signal.aborted) return;
    this.failed = error;
    this.log(`capture: stopped, transaction ${tx.xid} not confirmed: ${error.message}`);
  }

  private async commit(message: Pgoutput.MessageCommit): Promise<void> {
    const tx = this.current;
    this.current = undefined;
    if (!tx) return;
    try {
      await this.publish(tx);
      if (tx.sent > 0) {
        this.stats.transactions++;
        this.stats.lastCommitMicros = tx.commitMicros;
      }
      this.prevXid = tx.xid;
      // The commit record's start LSN: confirming it (+1, which the library adds) skips this transaction
      // on restart and keeps every later one.
      this.confirmedLsn = message.commitLsn ?? tx.commitLsn;
      await this.service?.acknowledge(this.confirmedLsn);
    } catch (error) {
      this.failOn(tx, error as Error);
    }
  }

  /**
   * Kinesis may be briefly unavailable: keep trying until it accepts or the capture is stopped. A request
   * Kinesis refuses as invalid stops the capture (no retry can change the answer); a record larger than
   * a Kinesis record is left out with a warning, so one oversized row does not hold up every change
   * after it (the index lacks that row until it fits; `npm run verify` reports it).
   */
  private async put(entries: KinesisEntry[]): Promise<void> {
    const tooLarge = (entry: KinesisEntry, bytes: number) => {
      this.stats.tooLarge++;
      const table = entry.partitionKey.split(".").slice(0, 2).join(".");
      this.log(
        `capture: a change of ${table} is ${bytes} bytes, more than a Kinesis record holds (${MAX_RECORD_BYTES}): not sent`,
      );
    };
    for (let attempt = 0; ; attempt++) {
      try {
        await putAll(this.options.kinesis, this.options.streamName, entries, this.abort.signal, tooLarge);
        return;
      } catch (error) {
        if (this.abort.signal.aborted) throw error;
        const { name, message } = error as Error;
        if (PERMANENT_PUT_ERRORS.has(name)) throw new Error(`Kinesis refused the records: ${brief(message)}`);
        this.log(`capture: PutRecords failed (${brief(message)}); retrying`);
        await sleep(backoffDelay(attempt, LOCAL_RETRY));
      }
    }
  }

  /** Stored generated columns, which pgoutput leaves out and DMS sends (generated-columns.ts). */
  private async fillGeneratedColumns(changes: Change[]): Promise<void> {
    for (const change of changes) {
      if (change.kind === "delete") continue;
      let found = this.generated.get(change.relation);
      if (!found) {
        const relation = change.relation;
        found = generatedColumnsOf(this.lookups, relation, this.selection).catch((error: Error) => {
          this.generated.delete(relation); // looked up again with the next change
          throw error;
        });
        this.generated.set(relation, found);
      }
      const columns = await found;
      if (!columns) continue;
      await fillGenerated(this.lookups, columns, change.row);
      change.relation = columns.relation;
    }
  }

  /**
   * An update that leaves a TOASTed value (a large jsonb or text) unchanged does not carry it in the WAL.
   * Like DMS's LOB lookup, read the current value from the table so the document is never truncated.
   */
  private async fillUnchangedToast(changes: Change[]): Promise<void> {
    for (const change of changes) {
      if (change.kind !== "update") continue;
      const missing = change.relation.columns.filter((c) => ownValue(change.row, c.name) === undefined);
      if (missing.length === 0 || change.relation.keyColumns.length === 0) continue;
      const id = pg.escapeIdentifier;
      const where = change.relation.keyColumns.map((k, i) => `${id(k)}::text = $${i + 1}`).join(" AND ");
      const result = await this.lookups.query<string[]>({
        text: `SELECT ${missing.map((c) => `${id(c.name)}::text`).join(", ")} FROM ${id(change.relation.schema)}.${id(change.relation.name)} WHERE ${where}`,
        values: change.relation.keyColumns.map((k) => ownValue(change.row, k)),
        rowMode: "array",
      });
      const values = result.rows[0];
      missing.forEach((c, i) => {
        setOwn<Tuple[string]>(change.row, c.name, values?.[i] ?? null);
      });
    }
  }
}
