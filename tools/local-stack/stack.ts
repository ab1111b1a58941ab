/**
 * The whole pipeline on one machine: PostgreSQL (embedded), the DMS-format capture, Kinesis (kinesalite),
 * SQS (fauxqs), OpenSearch (the project's emulator) and the event-source poller running the real indexer
 * handler in this process. Each part can be swapped for a real one (DATABASE_URL, OPENSEARCH_URL,
 * AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL_SQS). Dev tooling: never deployed.
 */

import { createHash } from "node:crypto";
import { existsSync, readFileSync, unwatchFile, watchFile, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { GetQueueUrlCommand, SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import type { Client } from "@opensearch-project/opensearch";
import type { KinesisStreamRecord } from "aws-lambda";
import pg from "pg";
import { parseDmsMessage } from "../../functions/indexer/dms-message";
import { migrate } from "../../operator/db-migrate/migrations";
import { idleLimitedHandler } from "../../operator/lib/aws-http";
import { withoutNodeAdvice } from "../../operator/lib/certificate-problem";
import { databaseFailure } from "../../operator/lib/database-connect";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { readStackFile } from "../../operator/lib/local-stack-file";
import { pipelineConfigPath, readPipelineConfig } from "../../operator/lib/pipeline-config-path";
import { projectRoot } from "../../operator/lib/project-root";
import { queueDepth } from "../../operator/lib/queue-depth";
import { localSearchClient, searchFailure } from "../../operator/lib/search-client";
import { keyProblem, tableKeys } from "../../shared/captured-keys";
import {
  columnProblems,
  missingTableProblem,
  tableColumns,
  tablesDifferingInCase,
} from "../../shared/configured-columns";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { DEFAULT_INDEX_SETTINGS, renderIndexTemplates } from "../../shared/index-templates";
import { namedColumnsOf } from "../../shared/named-columns";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { uncapturableTables } from "../../shared/uncapturable-tables";
import { parameterTypes, parameterValues, pseudoParameters } from "../lib/cfn-resolve";
import { loadTemplate } from "../lib/cfn-yaml";
import { redactUrl } from "../lib/redact-url";
import { localFunction } from "../lib/sam-function";
import { type RunningEmulator, startEmulator } from "../opensearch-emulator/server";
import { Capture, type CaptureOptions, isConnectionLoss } from "./capture/capture";
import { type Handler, type LocalHttpApi, startLocalHttpApi, templateRouteKeys } from "./http-api";
import { ensureStream, type RunningKinesis, startKinesalite } from "./kinesis";
import { FileCheckpoints, MemoryCheckpoints } from "./poller/checkpoints";
import { type EsmSettings, kinesisEventSource } from "./poller/esm-settings";
import { type Invoke, KinesisPoller } from "./poller/poller";
import {
  blockedAncestor,
  fallbackPostgresDir,
  type RunningPostgres,
  startEmbeddedPostgres,
  stopLeftoverPostgres,
} from "./postgres";
import { routeHints, routeState } from "./route-changes";
import { type RunningSqs, receiveAll, startLocalSqs } from "./sqs";
import { tableHints, tableState } from "./table-changes";
import { removeWipeLeftovers, wipe } from "./wipe";

/**
 * A part of one's own (DATABASE_URL, OPENSEARCH_URL, AWS_ENDPOINT_URL_KINESIS / _SQS) that fails as the
 * stack starts: the error says which part and which setting, not only a host and port, and why in the
 * part's own terms (`explain`: for a refused certificate, how to trust its CA).
 */
async function ofOwn<T>(
  part: string,
  setting: string,
  url: string,
  run: () => Promise<T>,
  explain: (error: Error) => string = (error) => withoutNodeAdvice(error.message),
): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw new Error(`${part} (${setting}=${redactUrl(url)}): ${explain(error as Error)}`, { cause: error });
  }
}

/** How long a stop waits for an indexer invocation under way once the drain is over. */
const INVOCATION_STOP_WAIT_MS = 2_000;

export type StackOptions = {
  /** Folder for local state (PostgreSQL data, Kinesis records, checkpoints); default `.local/`. */
  dir?: string;
  /** Wipe the local state first. */
  fresh?: boolean;
  /** Keep nothing on disk but PostgreSQL, with fsync off (tests). */
  ephemeral?: boolean;
  databaseUrl?: string;
  opensearchUrl?: string;
  kinesisEndpoint?: string;
  sqsEndpoint?: string;
  region?: string;
  streamName?: string;
  shards?: number;
  indexPrefix?: string;
  /** The routing config file (default: PIPELINE_CONFIG, else config/pipeline.yaml). */
  pipelineConfig?: string;
  /** Event-source settings to override those read from template.yaml (tests shorten the window). */
  esm?: Partial<EsmSettings>;
  /** Wraps the indexer handler (tests inject faults). */
  wrapInvoke?: (invoke: Invoke) => Invoke;
  /** Sees the records the poller reads from the stream, as it queues them (the freshness bench). */
  onRead?: (records: KinesisStreamRecord[]) => void;
  /** Port of the producer API on localhost (default 3000, any free port if taken; 0: any; false: none). */
  producerApiPort?: number | false;
  log?: (line: string) => void;
};

export type StackStatus = {
  /** Change and full-load records this run's capture put on the stream. */
  captured: number;
  /** Records the poller has handed to the indexer and not yet seen acknowledged. */
  inFlight: number;
  /** Messages in the DLQ; undefined when its depth cannot be read. */
  dlqDepth: number | undefined;
  /** Commit -> acknowledged for the newest change committed during this run (ms). */
  freshnessMs: number | undefined;
};

const INDEXER = "IndexerFunction";
/** How often the status reads the depth of a DLQ of one's own (AWS_ENDPOINT_URL_SQS). */
const OWN_QUEUE_DEPTH_EVERY_MS = 5_000;
const PRODUCER = "ProducerFunction";

/** In the stack's folder once its capture ran: the replication slot on the database feeds this folder. */
const CAPTURE_MARKER = "capture-slot";
/** A path as said to the person at the terminal: from the current folder when under it. */
const shownPath = (path: string): string =>
  relative(process.cwd(), path).startsWith("..") ? path : relative(process.cwd(), path);
/** The local OpenSearch emulator's data, in the stack's folder. */
const SEARCH_FOLDER = "opensearch";
/** Indexer modules imported by this process (each stack's is a fresh instance). */
let coldStarts = 0;
/** The tables db/demo-schema.sql creates. */
const DEMO_TABLES = ["public.customers", "public.orders", "public.order_items"];
/** How often a capture that lost its database connection tries to reconnect. */
const CAPTURE_RETRY_MS = 2_000;

export class LocalStack {
  capture!: Capture;
  poller!: KinesisPoller;
  search!: Client;
  pipeline!: PipelineConfig;
  /** The routing config file the stack runs with; its indexer reads the same. */
  readonly pipelineConfigPath: string;
  /** What the stack's index names start with. */
  readonly indexPrefix: string;
  databaseUrl = "";
  opensearchUrl = "";
  kinesisEndpoint: string | undefined;
  sqsEndpoint: string | undefined;
  dlqUrl = "";
  streamArn = "";
  emulator: RunningEmulator | undefined;
  /** Base URL of the producer API, once started. */
  producerApiUrl: string | undefined;
  private producerApi: LocalHttpApi | undefined;
  private postgres: RunningPostgres | undefined;
  private kinesis: RunningKinesis | undefined;
  private sqs: RunningSqs | undefined;
  private sqsClient!: SQSClient;
  private kinesisClient!: ReturnType<typeof createKinesisClient>;
  private freshness: number | undefined;
  private dlqDepth: number | undefined;
  private dlqDepthReadAt = Number.NEGATIVE_INFINITY;
  private startAborted = false;
  private captureStartsOver = false;
  private indexFolderGone = false;
  private configWatcher: (() => void) | undefined;
  private captureSupervisor: NodeJS.Timeout | undefined;
  private captureRecovery: Promise<void> | undefined;
  /** Why the last reconnection attempt failed (the capture it made never started); set: reconnecting. */
  private captureLost: Error | undefined;
  /** Changes captured by the captures before a reconnection (for the status line). */
  private capturedEarlier = 0;
  /** False while the capture starts (its slot, its full load): what abortStart may cut short. */
  private captureStarted = false;
  private stopping = false;
  private readonly startedMicros = BigInt(Date.now()) * 1000n;
  private readonly dir: string;
  private readonly region: string;
  private readonly streamName: string;
  private readonly log: (line: string) => void;

  constructor(private readonly options: StackOptions = {}) {
    this.dir = options.dir ?? join(projectRoot(), ".local");
    this.region = options.region ?? "us-east-1";
    this.streamName = options.streamName ?? "cdc-stream-local";
    this.log = options.log ?? (() => {});
    this.pipelineConfigPath = options.pipelineConfig ?? pipelineConfigPath();
    this.indexPrefix = options.indexPrefix ?? "local-";
  }

  /**
   * Asks a start in progress to stop after the part starting now (a Ctrl-C while starting): start()
   * then throws, and stop() stops what did start. The capture's full load, which takes minutes on a
   * large database of one's own, is not waited for: it ends at its next page (and runs again whole at
   * the next start).
   */
  abortStart(): void {
    this.startAborted = true;
    if (this.capture && !this.captureStarted) void this.capture.stop().catch(() => undefined);
  }

  async start(): Promise<this> {
    const o = this.options;
    // The routing config first: a mistake in it is reported before anything starts.
    this.pipeline = readPipelineConfig(this.pipelineConfigPath, this.indexPrefix);
    if (o.fresh) {
      if (!o.databaseUrl)
        await stopLeftoverPostgres(this.postgresDir(), {
          ownerAlive: () => readStackFile(this.dir) !== undefined,
          onNotice: this.log,
        });
      wipe(this.dir);
    } else removeWipeLeftovers(this.dir);
    // A stream and index made now (nothing of an earlier run in the folder) must not resume a replication
    // slot an earlier stack left on a database of one's own (DATABASE_URL): the capture starts over.
    // The marker is written once the capture runs; an older folder without one still has its stream.
    this.captureStartsOver =
      !o.ephemeral && !existsSync(join(this.dir, CAPTURE_MARKER)) && !existsSync(join(this.dir, "kinesis"));
    // The local index's folder deleted by hand (to empty the index) while the stream and the slot stay:
    // the capture loads every table again, so the index is filled from the database as it is now.
    this.indexFolderGone =
      !o.ephemeral &&
      !o.opensearchUrl &&
      existsSync(join(this.dir, CAPTURE_MARKER)) &&
      !existsSync(join(this.dir, SEARCH_FOLDER));
    for (const part of [
      () => this.startDatabase(),
      () => this.startSearch(),
      () => this.startStreams(),
      () => this.startIndexer(),
      () => this.startCapture(),
    ]) {
      await part();
      if (this.startAborted) throw new Error("stopped while starting");
    }
    if (!o.ephemeral) {
      writeFileSync(join(this.dir, CAPTURE_MARKER), "the capture's slot belongs to this folder\n");
      this.noteConfigChanges();
    }
    await this.startProducerApi();
    this.watchConfig();
    this.superviseCapture();
    return this;
  }

  /**
   * The routing config is read once, at start (the capture's tables, the index templates, the indexer's
   * routing): an edit while the stack runs is said once, with how to apply it, and again after it is
   * undone and made anew.
   */
  private watchConfig(): void {
    const path = this.pipelineConfigPath;
    const started = readFileSync(path, "utf8");
    const shown = shownPath(path);
    let said = false;
    this.configWatcher = () => {
      let now: string | undefined;
      try {
        now = readFileSync(path, "utf8");
      } catch {
        now = undefined; // an editor replacing the file: read again at the next poll
      }
      if (now === started) said = false;
      else if (now !== undefined && !said) {
        said = true;
        this.log(
          `${shown} changed: the running stack keeps the config it started with; to apply the change, stop it (Ctrl-C) and npm start again`,
        );
      }
    };
    watchFile(path, { interval: 500 }, this.configWatcher);
  }

  /**
   * What the routing config changed since the last start that the capture does not repair by itself,
   * said once: routes added to a table captured then (their index lacks the rows written before) or whose
   * condition changed (route-changes.ts), tables whose key or index changed or that left the config
   * (table-changes.ts). Each state is recorded in `.local` for the next start. Not after a capture that
   * starts over: it loads every table.
   */
  private noteConfigChanges(): void {
    this.noteSinceLastStart("routes.json", routeState(this.pipeline), (previous, current) =>
      routeHints(previous as Record<string, unknown>, current),
    );
    this.noteSinceLastStart("tables.json", tableState(this.pipeline), tableHints);
  }

  /** Says the hints between what `file` recorded at the last start and `current`; records `current`. */
  private noteSinceLastStart<T>(
    name: string,
    current: T,
    hints: (previous: T, current: T) => string[],
  ): void {
    const file = join(this.dir, name);
    let previous: T | undefined;
    try {
      if (existsSync(file)) previous = JSON.parse(readFileSync(file, "utf8")) as T;
    } catch {
      // Unreadable (edited by hand): nothing to compare with; it is written again below.
    }
    if (previous && !this.captureStartsOver) for (const hint of hints(previous, current)) this.log(hint);
    writeFileSync(file, `${JSON.stringify(current, null, 2)}\n`);
  }

  /** A function of template.yaml as a local run sees it (parameter defaults, this region). */
  private templateFunction(logicalId: string) {
    const root = projectRoot();
    const template = loadTemplate(join(root, "template.yaml"));
    const fn = localFunction(
      template,
      logicalId,
      {
        parameters: parameterValues(template, {}, {}),
        pseudo: pseudoParameters(this.region),
        conditions: template.Conditions ?? {},
        parameterTypes: parameterTypes(template),
      },
      root,
    );
    return { template, fn };
  }

  private async startDatabase(): Promise<void> {
    const own = this.options.databaseUrl;
    if (own) {
      this.databaseUrl = own;
      await ofOwn(
        "the database",
        "DATABASE_URL",
        own,
        () => this.prepareDatabase(),
        (error) => databaseFailure(own, error),
      );
      return;
    }
    this.postgres = await startEmbeddedPostgres({
      dir: this.postgresDir(),
      // The stack's wipe covers it, but not the fallback outside the folder (postgresDir).
      fresh: this.options.fresh ?? false,
      fast: this.options.ephemeral ?? false,
      ownerAlive: () => readStackFile(this.dir) !== undefined,
      onLog: (line) => {
        if (/FATAL|PANIC/.test(line)) this.log(`postgres: ${line}`);
      },
      onNotice: this.log,
    });
    this.databaseUrl = this.postgres.url;
    // A database made anew under a folder whose capture ran before: the earlier one's data is gone (its
    // folder deleted, or wiped with the temp directory), while the index, the stream and the DLQ here
    // still hold what came from it.
    if (this.postgres.initialised && !this.options.fresh && existsSync(join(this.dir, CAPTURE_MARKER)))
      this.log(
        `PostgreSQL's data was not there, so its database is new: the index, the stream and the DLQ in ${this.dir} hold what came from the one before (verify lists its documents as extra); npm start -- --fresh starts them over too`,
      );
    await this.prepareDatabase();
  }

  /** Checks that the database can stream changes, then applies the migrations and the demo's tables. */
  private async prepareDatabase(): Promise<void> {
    const root = projectRoot();
    const db = new pg.Client({ connectionString: this.databaseUrl });
    db.on("error", () => undefined); // a connection the server ends fails the query under way instead
    await db.connect();
    try {
      // A server of one's own (DATABASE_URL) must be able to stream changes, as Aurora's parameter group
      // does for DMS; say how before anything is changed on it.
      const walLevel = (await db.query<{ wal_level: string }>("SHOW wal_level")).rows[0]?.wal_level;
      if (walLevel !== "logical")
        throw new Error(
          `the database has wal_level = ${walLevel}; the capture needs logical: ALTER SYSTEM SET wal_level = logical; then restart that PostgreSQL`,
        );
      // Aurora's databases are UTF8; a SQL_ASCII one (initdb under the C locale) takes any bytes as text,
      // so what it accepts here a stage may refuse. Said, not refused: the pipeline itself runs on it.
      const encoding = (await db.query<{ server_encoding: string }>("SHOW server_encoding")).rows[0]
        ?.server_encoding;
      if (encoding !== "UTF8")
        this.log(
          `the database's encoding is ${encoding}, not UTF8 as Aurora's: it takes text a stage would refuse` +
            (this.postgres
              ? " (made by an earlier version under the C locale; npm start -- --fresh makes it UTF8, and wipes .local)"
              : ""),
        );
      const { rows } = await db.query<{ user: string; replicates: boolean }>(
        `SELECT current_user AS user,
                rolsuper OR rolreplication OR EXISTS (
                  SELECT 1 FROM pg_roles r WHERE r.rolname = 'rds_replication' AND pg_has_role(current_user, r.oid, 'member')
                ) AS replicates
           FROM pg_roles WHERE rolname = current_user`,
      );
      if (rows[0] && !rows[0].replicates)
        throw new Error(
          `the database user ${rows[0].user} cannot read changes: give it the REPLICATION attribute (ALTER ROLE ${db.escapeIdentifier(rows[0].user)} REPLICATION), as DMS's user has rds_replication on a stage`,
        );
      await migrate(this.databaseUrl, join(root, "db", "migrations"), namedColumnsOf(this.pipeline));
      // The demo's tables only for a config that captures them: a database of one's own with a config of
      // its own gets none (and its own `orders`, if any, no demo column).
      const configured = new Set(this.pipeline.tables().map((t) => t.table));
      if (DEMO_TABLES.every((table) => configured.has(table)))
        await db.query(readFileSync(join(root, "db", "demo-schema.sql"), "utf8"));
    } finally {
      await db.end();
    }
  }

  /**
   * `.local/postgres`, unless running as root in a folder the postgres user cannot pass through (a home
   * directory): then a folder per project outside it (fallbackPostgresDir).
   */
  private postgresDir(): string {
    const preferred = join(this.dir, "postgres");
    if (process.getuid?.() !== 0 || !blockedAncestor(this.dir)) return preferred;
    const fallback = fallbackPostgresDir(this.dir);
    this.log(`PostgreSQL data in ${fallback}: the postgres user cannot reach ${preferred}`);
    return fallback;
  }

  private async startSearch(): Promise<void> {
    if (this.options.opensearchUrl) this.opensearchUrl = this.options.opensearchUrl;
    else {
      // Its data lives in .local with the rest, so a restart (or kill -9) keeps the index in step with
      // the replication slot and the poller's checkpoints.
      this.emulator = await startEmulator({
        gcDeletesMs: 3_600_000,
        ...(!this.options.ephemeral && { dataDir: join(this.dir, SEARCH_FOLDER) }),
      });
      this.opensearchUrl = this.emulator.url;
    }
    this.search = localSearchClient(this.opensearchUrl);
  }

  private async startStreams(): Promise<void> {
    const o = this.options;
    if (o.kinesisEndpoint) this.kinesisEndpoint = o.kinesisEndpoint === "aws" ? undefined : o.kinesisEndpoint;
    else {
      this.kinesis = await startKinesalite(o.ephemeral ? {} : { path: join(this.dir, "kinesis") });
      this.kinesisEndpoint = this.kinesis.url;
    }
    this.kinesisClient = createKinesisClient(this.region, this.kinesisEndpoint);
    const shards = o.shards ?? 2;
    // A stream made in a Kinesis of one's own (an AWS account) stays after the stack, and costs per shard-hour.
    const created = () =>
      o.kinesisEndpoint &&
      this.log(
        `Kinesis: created the stream ${this.streamName} (${shards} shards) at AWS_ENDPOINT_URL_KINESIS=${redactUrl(o.kinesisEndpoint)}; it stays after the stack stops: aws kinesis delete-stream --stream-name ${this.streamName} when done`,
      );
    const ensure = () => ensureStream(this.kinesisClient, this.streamName, shards, created);
    this.streamArn = o.kinesisEndpoint
      ? await ofOwn("Kinesis", "AWS_ENDPOINT_URL_KINESIS", o.kinesisEndpoint, ensure)
      : await ensure();

    if (o.sqsEndpoint && o.sqsEndpoint !== "local") {
      this.sqsEndpoint = o.sqsEndpoint === "aws" ? undefined : o.sqsEndpoint;
      this.sqsClient = new SQSClient({
        region: this.region,
        requestHandler: idleLimitedHandler(),
        ...(this.sqsEndpoint && { endpoint: this.sqsEndpoint }),
        ...(this.sqsEndpoint && !process.env.AWS_ACCESS_KEY_ID && { credentials: LOCAL_CREDENTIALS }),
      });
      const name = process.env.DLQ_NAME ?? "cdc-indexer-dlq-local";
      // The dead-letter queue of one's own is not made here: it is named (DLQ_NAME), and must exist.
      const queue = await ofOwn("SQS", "AWS_ENDPOINT_URL_SQS", o.sqsEndpoint, () =>
        this.sqsClient.send(new GetQueueUrlCommand({ QueueName: name })).catch((error: Error) => {
          if (error.name !== "QueueDoesNotExist" && error.name !== "AWS.SimpleQueueService.NonExistentQueue")
            throw error;
          throw new Error(
            `no queue ${name} there: create it (aws sqs create-queue --queue-name ${name}), or name an existing one with DLQ_NAME`,
            { cause: error },
          );
        }),
      );
      this.dlqUrl = queue.QueueUrl as string;
    } else {
      this.sqs = await startLocalSqs(
        this.region,
        o.ephemeral ? {} : { journal: join(this.dir, "dlq-journal.ndjson") },
      );
      this.sqsEndpoint = this.sqs.url;
      this.sqsClient = this.sqs.client;
      const name = "cdc-indexer-dlq-local";
      this.dlqUrl = this.sqs.createQueue(name);
      const restored = await this.sqs.restore(name, this.dlqUrl);
      if (restored > 0) this.log(`DLQ: ${restored} dead letter(s) kept from the last run`);
    }
  }

  private async startIndexer(): Promise<void> {
    const { fn } = this.templateFunction(INDEXER);
    const settings = { ...kinesisEventSource(fn), ...this.options.esm };
    const prefix = this.indexPrefix;
    // The first requests to OpenSearch (no others needed to see whether a cluster of one's own answers).
    const own = this.options.opensearchUrl;
    if (own)
      await ofOwn("OpenSearch", "OPENSEARCH_URL", own, () => this.installIndexTemplates(), searchFailure);
    else await this.installIndexTemplates();
    // The handler reads its settings at import (cold start), as in Lambda.
    Object.assign(process.env, {
      OPENSEARCH_ENDPOINT: this.opensearchUrl,
      OPENSEARCH_AUTH: "none",
      DLQ_URL: this.dlqUrl,
      INDEX_PREFIX: prefix,
      PIPELINE_CONFIG: this.pipelineConfigPath,
      AWS_REGION: this.region,
      AWS_LAMBDA_FUNCTION_NAME: fn.functionName,
      AWS_LAMBDA_INITIALIZATION_TYPE: "on-demand", // as Lambda sets it: Powertools reports cold starts then
      POWERTOOLS_LOG_LEVEL: process.env.POWERTOOLS_LOG_LEVEL ?? "WARN",
      POWERTOOLS_METRICS_DISABLED: process.env.POWERTOOLS_METRICS_DISABLED ?? "true",
      ...(this.sqsEndpoint && { AWS_ENDPOINT_URL_SQS: this.sqsEndpoint }),
      ...(this.sqsEndpoint &&
        !process.env.AWS_ACCESS_KEY_ID && {
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        }),
    });
    // A cold start per stack: a module instance of its own reads this stack's settings (a process that
    // starts stacks one after another, as the tests do, would otherwise keep the first one's config).
    const mod = (await import(`${pathToFileURL(fn.handlerFile).href}?stack=${++coldStarts}`)) as {
      handler: Invoke;
    };
    const invoke: Invoke = (event, context) => mod.handler(event, context);
    this.poller = new KinesisPoller({
      kinesis: this.kinesisClient,
      streamName: this.streamName,
      streamArn: this.streamArn,
      region: this.region,
      settings,
      fn,
      invoke: this.options.wrapInvoke ? this.options.wrapInvoke(invoke) : invoke,
      onFailure: async (record) => {
        await this.sqsClient.send(
          new SendMessageCommand({ QueueUrl: this.dlqUrl, MessageBody: JSON.stringify(record) }),
        );
      },
      checkpoints: this.options.ephemeral
        ? new MemoryCheckpoints()
        : new FileCheckpoints(join(this.dir, "poller-checkpoints.json")),
      onAcknowledged: (records) => this.noteFreshness(records),
      ...(this.options.onRead && { onRead: this.options.onRead }),
      log: this.log,
    });
    await this.poller.start();
  }

  /**
   * The index templates rendered from the routing config, installed before the indexer runs (as the
   * search bootstrap does in AWS), so no index is created with dynamic mappings. One node: no replicas.
   */
  private async installIndexTemplates(): Promise<void> {
    for (const t of renderIndexTemplates(this.pipeline, { ...DEFAULT_INDEX_SETTINGS, replicas: 0 })) {
      // OpenSearch normalises a stored template but keeps `_meta` as sent: a fingerprint there tells
      // whether this exact rendering is installed.
      const fingerprint = createHash("sha256").update(JSON.stringify(t.body)).digest("hex").slice(0, 16);
      const installed = await this.search.indices.getIndexTemplate({ name: t.name }, { ignore: [404] });
      type Installed = { index_templates?: { index_template: { _meta?: { fingerprint?: string } } }[] };
      const current = (installed.body as Installed).index_templates?.[0];
      if (current?.index_template._meta?.fingerprint === fingerprint) continue;
      const body = { ...t.body, _meta: { ...t.body._meta, fingerprint } };
      await this.search.indices.putIndexTemplate({ name: t.name, body: body as never });
      // A template applies to indices created after it: an index made under an older one keeps its mappings.
      if ((await this.search.indices.exists({ index: t.index })).body)
        this.log(
          `index ${t.index} predates its current template (it keeps its old mappings); to rebuild it: ` +
            `npm run reload -- --rebuild ${t.table}`,
        );
    }
  }

  /**
   * Configured tables the database lacks, configured keys that cannot find a document to delete,
   * configured columns the tables lack, and partitioned tables configured as such (said at each start
   * until fixed).
   */
  private async checkConfigAgainstTables(): Promise<void> {
    const db = new pg.Client({ connectionString: this.databaseUrl });
    db.on("error", () => undefined); // a connection the server ends fails the query under way instead
    await db.connect();
    try {
      const routings = this.pipeline.tables();
      const names = routings.map((t) => t.table);
      const keys = await tableKeys(db, names);
      const columns = await tableColumns(db, names);
      const uncapturable = await uncapturableTables(db, names);
      // A table the database lacks has no columns there.
      const similar = await tablesDifferingInCase(
        db,
        names.filter((name) => !columns.has(name)),
      );
      for (const t of routings) {
        const has = columns.get(t.table);
        if (!has) {
          this.log(`config: ${missingTableProblem(t.table, similar.get(t.table))}`);
          continue;
        }
        const uncaptured = uncapturable.get(t.table);
        if (uncaptured) this.log(`config: ${uncaptured}`);
        const key = keys.get(t.table);
        const problem = key && keyProblem(t.table, t.primaryKey, key);
        if (problem) this.log(`config: ${problem}`);
        for (const missing of columnProblems(t, has)) this.log(`config: ${missing}`);
      }
    } finally {
      await db.end();
    }
  }

  async startCapture(extra: Pick<CaptureOptions, "onLoadBatch" | "loadBatchRows"> = {}): Promise<void> {
    await this.checkConfigAgainstTables();
    if (this.startAborted) throw new Error("stopped while starting");
    this.captureStarted = false;
    if (this.indexFolderGone)
      this.log(
        `${shownPath(join(this.dir, SEARCH_FOLDER))} was not there, so the local index is new: every table is loaded into it again`,
      );
    this.capture = this.newCapture(this.captureStartsOver, {
      ...extra,
      loadEveryTable: this.indexFolderGone,
    });
    await this.capture.start();
    this.captureStarted = true;
  }

  private newCapture(
    startOver: boolean,
    extra: Pick<CaptureOptions, "onLoadBatch" | "loadBatchRows" | "loadEveryTable"> = {},
  ): Capture {
    return new Capture({
      databaseUrl: this.databaseUrl,
      kinesis: this.kinesisClient,
      streamName: this.streamName,
      tableMappings: dmsTableMappings(this.pipeline),
      startOver,
      log: this.log,
      ...extra,
    });
  }

  /**
   * Why the capture stopped, when it stays stopped; undefined while it runs or reconnects (a lost
   * database connection is taken up again: superviseCapture).
   */
  get captureFailure(): Error | undefined {
    if (this.captureLost) return undefined;
    const error = this.capture?.error;
    return error && !isConnectionLoss(error) ? error : undefined;
  }

  /**
   * A capture whose database connection went (the server restarted, a failover, its walsender was
   * terminated) reconnects, as DMS does: every CAPTURE_RETRY_MS until the server answers, resuming from
   * the slot's confirmed position (a transaction not yet confirmed comes again: the indexer's versions
   * make it a no-op). Any other failure (Kinesis refusing a request) stays stopped and is reported.
   */
  private superviseCapture(): void {
    let said: string | undefined;
    const attempt = async () => {
      // Once the connection is lost, every failure to start again is retried (the server may still be
      // starting, or still hold the slot for the connection it lost).
      const lost = this.captureLost ?? this.capture?.error;
      if (!lost || (!this.captureLost && !isConnectionLoss(lost))) return;
      if (said === undefined)
        this.log(`capture: lost its database connection (${lost.message}); reconnecting`);
      const before = this.capture;
      await before.stop().catch(() => undefined);
      this.capturedEarlier += before.stats.captured + before.stats.loaded;
      this.capture = this.newCapture(false);
      try {
        await this.capture.start();
        this.captureLost = undefined;
        said = undefined;
        this.log("capture: reconnected; resuming from the replication slot");
      } catch (error) {
        this.captureLost = error as Error;
        const message = (error as Error).message;
        if (said !== message)
          this.log(`capture: cannot reconnect yet (${message}); trying every ${CAPTURE_RETRY_MS / 1000} s`);
        said = message;
      }
    };
    this.captureSupervisor = setInterval(() => {
      if (this.captureRecovery || this.stopping) return;
      this.captureRecovery = attempt().finally(() => {
        this.captureRecovery = undefined;
      });
    }, CAPTURE_RETRY_MS);
    this.captureSupervisor.unref();
  }

  /** The producer API's real handler behind a local HTTP server, writing to this stack's PostgreSQL. */
  private async startProducerApi(): Promise<void> {
    if (this.options.producerApiPort === false) return;
    const { template, fn } = this.templateFunction(PRODUCER);
    // Its settings are read at import (cold start); short idle timeout so stopping finds no idle client.
    Object.assign(process.env, { DATABASE_URL: this.databaseUrl, DB_IDLE_TIMEOUT_MS: "1000" });
    const mod = (await import(pathToFileURL(fn.handlerFile).href)) as { handler: Handler };
    this.producerApi = await startLocalHttpApi({
      port: this.options.producerApiPort ?? 3000,
      routeKeys: templateRouteKeys(template),
      handler: mod.handler,
      functionName: fn.functionName,
      timeoutSeconds: fn.timeoutSeconds,
      region: this.region,
      log: this.log,
    });
    this.producerApiUrl = this.producerApi.url;
  }

  /** Stops and starts the capture (chaos tests): it resumes from the slot's confirmed position. */
  async restartCapture(extra: Parameters<LocalStack["startCapture"]>[0] = {}): Promise<void> {
    await this.capture.stop();
    await this.startCapture(extra);
  }

  /**
   * Commit -> acknowledged for the newest live change of the batch just acknowledged: changes committed
   * since this run started. Replays, records from before a restart and full-load rows are not lag.
   */
  private noteFreshness(records: KinesisStreamRecord[]): void {
    let newest = 0n;
    for (const r of records) {
      try {
        const m = parseDmsMessage(Buffer.from(r.kinesis.data, "base64"));
        if (m.kind === "change" && m.position.kind === "commit" && m.position.micros > newest)
          newest = m.position.micros;
      } catch {
        // not a DMS change: the indexer dead-letters it, it has no commit time
      }
    }
    if (newest >= this.startedMicros) this.freshness = Date.now() - Number(newest / 1000n);
  }

  async status(): Promise<StackStatus> {
    // The local queue is read at each call; a queue of one's own (AWS_ENDPOINT_URL_SQS) every few
    // seconds (each read is a request, billed on AWS).
    const now = Date.now();
    if (this.sqs || now - this.dlqDepthReadAt >= OWN_QUEUE_DEPTH_EVERY_MS) {
      this.dlqDepthReadAt = now;
      this.dlqDepth = await queueDepth(this.sqsClient, this.dlqUrl).catch(() => undefined);
    }
    return {
      captured: this.capturedEarlier + this.capture.stats.captured + this.capture.stats.loaded,
      inFlight: this.poller.inFlight,
      dlqDepth: this.dlqDepth,
      freshnessMs: this.freshness,
    };
  }

  /** Waits until every change committed so far is captured and acknowledged by the indexer. */
  async settle(timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    const db = new pg.Client({ connectionString: this.databaseUrl });
    db.on("error", () => undefined); // a connection the server ends fails the query under way instead
    await db.connect();
    let lsn: string;
    try {
      lsn = (
        await db.query<{ lsn: string }>(
          "SELECT pg_logical_emit_message(true, 'cdc-local-settle', '')::text AS lsn",
        )
      ).rows[0]?.lsn as string;
    } finally {
      await db.end();
    }
    if (!(await this.capture.confirmedPast(lsn, deadline - Date.now()))) return false;
    return this.poller.drain(Math.max(0, deadline - Date.now()));
  }

  /** Stops every part: capture first, then the poller drains what is in the stream (bounded). */
  async stop(drainMs = 10_000): Promise<void> {
    this.stopping = true;
    if (this.configWatcher) unwatchFile(this.pipelineConfigPath, this.configWatcher);
    clearInterval(this.captureSupervisor);
    await this.captureRecovery;
    await this.producerApi?.stop();
    await this.capture?.stop().catch((e: Error) => this.log(`stop: capture: ${e.message}`));
    if (this.poller) {
      await this.poller.drain(drainMs);
      // An invocation under way (one retrying against a cluster that refuses writes) is not waited out.
      if (!(await this.poller.stop(INVOCATION_STOP_WAIT_MS)))
        this.log(
          "stop: an indexer invocation still under way was left; its records are read again at the next start",
        );
    }
    this.kinesisClient?.destroy();
    await this.search?.close().catch(() => undefined);
    await this.sqs?.stop().catch(() => undefined);
    await this.kinesis?.stop().catch(() => undefined);
    await this.emulator?.stop().catch((e: Error) => this.log(`stop: OpenSearch emulator: ${e.message}`));
    await this.postgres?.stop().catch(() => undefined);
  }

  /** Every message now visible in the DLQ (received, so hidden for the visibility timeout). */
  deadLetters(): Promise<string[]> {
    return receiveAll(this.sqsClient, this.dlqUrl);
  }
}
