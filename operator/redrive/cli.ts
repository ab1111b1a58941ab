/**
 * `npm run redrive -- [target] [--dry-run] [--max N] [--cause C] [--table T] [--wait S]`
 * `npm run redrive -- [target] --discard [--cause C] [--table T] [--dry-run | --yes]`
 *
 * Replays the indexer's dead letters: puts each message's records back on the CDC stream and deletes the
 * message once Kinesis has them (redrive.ts), then watches the queue for the replayed
 * records failing again. `--discard` deletes dead letters that are no longer wanted instead. Without a
 * target it uses the running local stack. Exits 1 if any message stayed in the queue, failed again or was
 * held by another reader when it began (it could not see them); 130 when stopped by Ctrl-C (the messages
 * it held handed back).
 */

import { idleLimitedHandler } from "../lib/aws-http";
import { exitOnClosedPipe } from "../lib/closed-pipe";
import "../lib/text-import-hook";
import { join } from "node:path";
import { SQSClient } from "@aws-sdk/client-sqs";
import { commandArgs, usageError } from "../lib/command-args";
import { confirmTyped } from "../lib/confirm";
import { createKinesisClient } from "../lib/kinesis-client";
import { LOCAL_CREDENTIALS } from "../lib/local-credentials";
import { readStackFile } from "../lib/local-stack-file";
import { projectRoot } from "../lib/project-root";
import { resolveTargets, type TargetOptions } from "../lib/targets";
import { type RedriveOptions, type RedriveReport, redrive } from "./redrive";

exitOnClosedPipe();

const USAGE = `usage: npm run redrive -- [target] [--dry-run] [--max <n>] [--cause <text>] [--table <schema.table>] [--wait <s>]
       npm run redrive -- [target] --discard [--cause <text>] [--table <schema.table>] [--dry-run | --yes]

Replays the dead letters of the CDC indexer: each message's records go back on the stream, and the
message is deleted once Kinesis accepted them; then the queue is watched for replayed records that fail
again (--wait seconds, default 30; 0 skips). --discard deletes the matching dead letters instead (asks
for confirmation unless --yes; run it with --dry-run first).

target (default: the running local stack, npm start):
  --config-env <stage>          the stack of that samconfig.toml environment (its outputs)
  --queue-url <url> --stream-arn <arn> [--region <r>]
filters (replay and discard alike):
  --cause <text>   only dead letters whose cause contains the text (e.g. mapper_parsing_exception)
  --table <t>      only dead letters of that table (schema.table)
  --max <n>        at most n messages`;

type Args = TargetOptions & {
  dryRun: boolean;
  discard: boolean;
  yes: boolean;
  max?: number;
  waitSeconds: number;
  filter: { cause?: string; table?: string };
};

/** The flags (operator/lib/command-args.ts: --help, and anything unknown refused with the usage). */
function parseArgs(): Args {
  const { values: v } = commandArgs(USAGE, {
    options: {
      "dry-run": { type: "boolean" },
      discard: { type: "boolean" },
      yes: { type: "boolean" },
      "config-env": { type: "string" },
      "queue-url": { type: "string" },
      "stream-arn": { type: "string" },
      region: { type: "string" },
      max: { type: "string" },
      cause: { type: "string" },
      table: { type: "string" },
      wait: { type: "string" },
    },
  });
  const whole = (name: string, text: string | undefined, min: number) => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) usageError(USAGE, `--${name} must be a whole number ≥ ${min}`);
    return n;
  };
  const max = whole("max", v.max, 1);
  return {
    dryRun: v["dry-run"] ?? false,
    discard: v.discard ?? false,
    yes: v.yes ?? false,
    waitSeconds: whole("wait", v.wait, 0) ?? 30,
    filter: { ...(v.cause && { cause: v.cause }), ...(v.table && { table: v.table }) },
    ...(v["config-env"] && { configEnv: v["config-env"] }),
    ...(v["queue-url"] && { queueUrl: v["queue-url"] }),
    ...(v["stream-arn"] && { streamArn: v["stream-arn"] }),
    ...(v.region && { region: v.region }),
    ...(max !== undefined && { max }),
  };
}

function printReport(report: RedriveReport, args: Args): void {
  const verb = args.discard
    ? args.dryRun
      ? "would discard"
      : "discarded"
    : args.dryRun
      ? "would replay"
      : "replayed";
  const done = args.dryRun
    ? report.examined - report.kept.length
    : args.discard
      ? report.discarded
      : report.replayed;
  console.log(
    `${report.examined} message(s) examined; ${verb} ${done}${args.discard ? "" : ` (${report.records} record(s))`}; ${report.kept.length} kept${report.skipped ? `; ${report.skipped} left alone by the filter` : ""}`,
  );
  for (const [cause, count] of Object.entries(report.causes)) console.log(`  ${count} × ${cause}`);
  if (report.failedAgain > 0) {
    console.log(`  ${report.failedAgain} replayed record(s) failed again and are back in the queue:`);
    for (const [cause, count] of Object.entries(report.failedAgainCauses))
      console.log(`    ${count} × ${cause}`);
    // A record refused by a rule is refused again on every replay until its cause is fixed, or its row
    // changes (the indexer then settles it as superseded): what to do with them, in the command's terms.
    const target = args.configEnv ? ` --config-env ${args.configEnv}` : "";
    const cause = Object.keys(report.failedAgainCauses)[0]?.replace(/^indexer: /, "") ?? "<cause>";
    console.log(
      `  fix the cause or the rows (a replayed dead letter of a row changed since settles), then replay them again; those no longer wanted (rows deleted since: npm run verify${target} shows them right): npm run redrive --${target} --discard --cause ${cause} --dry-run`,
    );
  } else if (report.watchedMs > 0)
    console.log(
      `  no replayed record failed again within ${Math.round(report.watchedMs / 1000)} s (npm run verify confirms)`,
    );
  if (report.stopped)
    console.log(
      "  stopped before the end: the messages it held are back in the queue; run it again for the rest",
    );
  if (report.heldElsewhere > 0)
    console.log(
      `  ${report.heldElsewhere} message(s) were held by another reader when this run began (a redrive still running, or one stopped with kill before it handed them back), so it could not see them: they are visible again ${REDRIVE_VISIBILITY_SECONDS / 60} minutes after a redrive received them (after the queue's visibility timeout for another reader); run it again then`,
    );
}

/** How long a message this command receives stays hidden if the command dies before handing it back. */
const REDRIVE_VISIBILITY_SECONDS = 120;

/**
 * Ctrl-C (or SIGTERM) during a run stops it cleanly: the replay in hand finishes, and every message the
 * run holds goes back to the queue now instead of after its visibility timeout. A later, separate one quits
 * at once.
 */
async function stoppable<T>(run: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let firstAt = 0;
  const onSignal = (name: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      // npm relays the terminal's Ctrl-C as well: only a later, separate one quits at once.
      if (Date.now() - firstAt >= 1_000) process.exit(130);
      return;
    }
    firstAt = Date.now();
    controller.abort();
    console.error(
      `${name}: stopping; the messages this run holds go back to the queue (again to quit now, leaving them hidden for up to ${REDRIVE_VISIBILITY_SECONDS / 60} minutes)`,
    );
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  try {
    return await run(controller.signal);
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

const confirmDiscard = (count: number) =>
  confirmTyped(`Discard these ${count} dead letter(s) for good?`, "discard");

async function main(): Promise<number> {
  const args = parseArgs();
  const targets = await resolveTargets(args, {
    samconfigPath: join(projectRoot(), "samconfig.toml"),
    localStack: () => readStackFile(),
  });
  const sqs = new SQSClient({
    region: targets.region,
    requestHandler: idleLimitedHandler(),
    ...(targets.sqsEndpoint && { endpoint: targets.sqsEndpoint, credentials: LOCAL_CREDENTIALS }),
  });
  const kinesis = createKinesisClient(targets.region, targets.kinesisEndpoint);
  try {
    const base: RedriveOptions = {
      sqs,
      kinesis,
      queueUrl: targets.queueUrl,
      streamName: targets.streamName,
      mode: args.discard ? "discard" : "replay",
      filter: args.filter,
      watchMs: args.waitSeconds * 1000,
      visibilityTimeoutSeconds: REDRIVE_VISIBILITY_SECONDS,
      ...(args.max !== undefined && { max: args.max }),
      log: (line) => console.error(line),
    };
    console.error(
      `${args.dryRun ? "dry run: " : ""}${targets.queueUrl}${args.discard ? " (discard)" : ` -> stream ${targets.streamName}`}`,
    );
    if (args.discard && !args.dryRun && !args.yes) {
      // Show what would go, then ask: a discard cannot be undone.
      const preview = await stoppable((signal) => redrive({ ...base, dryRun: true, log: () => {}, signal }));
      if (preview.stopped) return 130;
      printReport(preview, { ...args, dryRun: true });
      if (preview.examined === 0) return 0;
      if (!(await confirmDiscard(preview.examined))) {
        console.error(process.stdin.isTTY ? "nothing discarded" : "not a terminal: add --yes to discard");
        return 1;
      }
    }
    const report = await stoppable((signal) => redrive({ ...base, dryRun: args.dryRun, signal }));
    printReport(report, args);
    if (report.stopped) return 130;
    return report.kept.length > 0 || report.failedAgain > 0 || report.heldElsewhere > 0 ? 1 : 0;
  } finally {
    sqs.destroy();
    kinesis.destroy();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`redrive: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  },
);
