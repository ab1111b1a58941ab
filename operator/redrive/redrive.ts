/**
 * The DLQ redrive: each dead letter's records are put back on the stream they came from (same
 * partition key, same bytes) and the message is deleted only after Kinesis accepted all of them. The
 * indexer then applies them like any record; external versions make an outdated replay a no-op. A
 * message that cannot be replayed (unreadable, records past retention) stays in the queue.
 */
import { setTimeout as delay } from "node:timers/promises";
import type { KinesisClient } from "@aws-sdk/client-kinesis";
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { type PutPosition, putAll } from "../lib/kinesis-put";
import { messagesHeldElsewhere } from "../lib/queue-depth";
import { parseStreamArn, planReplay, type ReplayPlan, type StoredRecord } from "./messages";
import { readRange } from "./stream-range";

export type RedriveOptions = {
  sqs: Pick<SQSClient, "send">;
  kinesis: KinesisClient;
  queueUrl: string;
  /** Stream the records go back to. */
  streamName: string;
  /** Only report what would be replayed; every message stays in the queue. */
  dryRun?: boolean;
  /** Stop after this many messages. */
  max?: number;
  /** `discard` deletes the matching dead letters instead of replaying them. */
  mode?: "replay" | "discard";
  /** Only the dead letters whose cause contains `cause` / whose table is `table`; others stay untouched. */
  filter?: { cause?: string; table?: string };
  /**
   * After replaying, how long to watch the queue for the replayed records failing again (the indexer
   * answers within its batching window and a bulk request). 0: do not watch.
   */
  watchMs?: number;
  /** How long a message being replayed stays hidden from other consumers. */
  visibilityTimeoutSeconds?: number;
  /**
   * Stops the run (Ctrl-C): the messages being replayed finish (put, then deleted), no more are received,
   * the watch ends, and every message held goes back to the queue at once, not after its timeout.
   */
  signal?: AbortSignal;
  log?: (line: string) => void;
  sleep?: (ms: number) => Promise<void>;
};

export type RedriveReport = {
  examined: number;
  replayed: number;
  /** Dead letters deleted without replay (`mode: "discard"`). */
  discarded: number;
  /** Dead letters the filter left alone. */
  skipped: number;
  records: number;
  kept: { messageId: string; reason: string }[];
  /** Dead letters of records this run replayed that failed again: left in the queue. */
  failedAgain: number;
  /** Their causes. */
  failedAgainCauses: Record<string, number>;
  /** How long the queue was watched for them (ms). */
  watchedMs: number;
  /** Messages per cause (indexer error type or event-source-mapping condition). */
  causes: Record<string, number>;
  /**
   * Messages another reader held when the run began (a redrive still running, or one killed before it
   * handed them back): this run could not see them; they come back after their visibility timeout.
   */
  heldElsewhere: number;
  /** The run was stopped (`signal`) before it was done. */
  stopped: boolean;
};

type Replay = { message: Message; id: string; records: StoredRecord[]; cause: string };

/** Deletes received messages in one call; returns the ids SQS did not delete, with its reason. */
async function deleteAll(
  sqs: Pick<SQSClient, "send">,
  queueUrl: string,
  messages: Message[],
): Promise<Map<string, string>> {
  const result = await sqs.send(
    new DeleteMessageBatchCommand({
      QueueUrl: queueUrl,
      Entries: messages.map((m, i) => ({ Id: String(i), ReceiptHandle: m.ReceiptHandle })),
    }),
  );
  return new Map(
    (result.Failed ?? []).map((f) => [
      messages[Number(f.Id)]?.MessageId as string,
      `${f.Code ?? "error"}: ${f.Message ?? ""}`.trim(),
    ]),
  );
}

/** A dead letter about a record this run put on the stream (the replay failed again). */
function isFromThisRun(plan: ReplayPlan, putHere: PutPosition[]): boolean {
  if (plan.kind === "unreadable") return false;
  const start = BigInt(plan.kind === "range" ? plan.startSequenceNumber : plan.sequenceNumber);
  const end = BigInt(plan.kind === "range" ? plan.endSequenceNumber : plan.sequenceNumber);
  return putHere.some(
    (p) => p.shardId === plan.shardId && BigInt(p.sequenceNumber) >= start && BigInt(p.sequenceNumber) <= end,
  );
}

/** The table a dead letter is about: the indexer names it; otherwise the records' partition key. */
function tableOf(body: string, records: StoredRecord[] | undefined): string | undefined {
  try {
    const table = (JSON.parse(body) as { source?: { table?: unknown } }).source?.table;
    if (typeof table === "string") return table;
  } catch {
    // unreadable: no table
  }
  return records?.[0]?.partitionKey;
}

async function recordsOf(
  plan: ReplayPlan,
  kinesis: KinesisClient,
): Promise<{ records?: StoredRecord[]; cause: string; problem?: string }> {
  if (plan.kind === "unreadable") return { cause: "unreadable", problem: plan.reason };
  if (plan.kind === "records") return { records: plan.records, cause: plan.reason };
  const range = await readRange(
    kinesis,
    parseStreamArn(plan.streamArn).name,
    plan.shardId,
    plan.startSequenceNumber,
    plan.endSequenceNumber,
  );
  return range.complete
    ? { records: range.records, cause: plan.reason }
    : { cause: plan.reason, problem: range.problem ?? "range incomplete" };
}

export async function redrive(options: RedriveOptions): Promise<RedriveReport> {
  const log = options.log ?? (() => {});
  const max = options.max ?? Number.POSITIVE_INFINITY;
  const mode = options.mode ?? "replay";
  const filter = options.filter ?? {};
  const sleep = options.sleep ?? delay;
  const report: RedriveReport = {
    examined: 0,
    replayed: 0,
    discarded: 0,
    skipped: 0,
    records: 0,
    kept: [],
    causes: {},
    failedAgain: 0,
    failedAgainCauses: {},
    watchedMs: 0,
    // Advisory: a queue whose attributes cannot be read is still replayed.
    heldElsewhere: await messagesHeldElsewhere(options.sqs, options.queueUrl).catch(() => 0),
    stopped: false,
  };
  const stopped = () => options.signal?.aborted === true;
  const countFailedAgain = (plan: ReplayPlan) => {
    report.failedAgain++;
    const cause = plan.kind === "unreadable" ? "unreadable" : plan.reason;
    report.failedAgainCauses[cause] = (report.failedAgainCauses[cause] ?? 0) + 1;
  };
  const seen = new Set<string>();
  // Where this run put records: one of them failing again comes back as a new dead letter pointing at
  // it, which waits for the next run instead of looping.
  const putHere: PutPosition[] = [];
  // Messages left in the queue are made visible again at the end (not earlier: the loop would see them again).
  const handBack: Message[] = [];

  /**
   * The records of a received batch's dead letters go back in one put (PutRecords of up to 500), and the
   * messages are deleted in one call, only once Kinesis accepted every record. A refused put keeps them
   * all (the next run replays them); a message the queue would not delete is replayed again next run,
   * which external versions make harmless.
   */
  const replay = async (replays: Replay[]): Promise<void> => {
    if (replays.length === 0) return;
    try {
      putHere.push(
        ...(await putAll(
          options.kinesis,
          options.streamName,
          replays.flatMap((r) => r.records),
        )),
      );
    } catch (error) {
      const reason = `put to ${options.streamName} failed: ${(error as Error).message}`;
      for (const { message, id } of replays) {
        handBack.push(message);
        report.kept.push({ messageId: id, reason });
        log(`kept ${id}: ${reason}`);
      }
      return;
    }
    const notDeleted = await deleteAll(
      options.sqs,
      options.queueUrl,
      replays.map((r) => r.message),
    );
    for (const { message, id, records, cause } of replays) {
      const problem = notDeleted.get(id);
      if (problem) {
        handBack.push(message);
        report.kept.push({ messageId: id, reason: `replayed, but the queue did not delete it (${problem})` });
        log(`replayed ${id} but could not delete it (${problem}): the next run replays it again`);
        continue;
      }
      report.replayed++;
      report.records += records.length;
      log(`replayed ${id}: ${records.length} record(s), ${cause}`);
    }
  };

  while (report.examined < max && !stopped()) {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: Math.min(10, max - report.examined),
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 120,
        // Long polling asks every SQS server, so an empty answer means an empty queue.
        WaitTimeSeconds: 1,
      }),
    );
    const fresh = (received.Messages ?? []).filter((m) => !seen.has(m.MessageId as string));
    if (fresh.length === 0) break;
    const replays: Replay[] = [];
    for (const message of fresh) {
      const id = message.MessageId as string;
      seen.add(id);
      const plan = planReplay(message.Body ?? "");
      if (isFromThisRun(plan, putHere)) {
        handBack.push(message);
        countFailedAgain(plan);
        continue;
      }
      const { records, cause, problem } = await recordsOf(plan, options.kinesis);
      const table = tableOf(message.Body ?? "", records);
      if ((filter.cause && !cause.includes(filter.cause)) || (filter.table && table !== filter.table)) {
        handBack.push(message);
        report.skipped++;
        continue;
      }
      report.examined++;
      report.causes[cause] = (report.causes[cause] ?? 0) + 1;
      if (mode === "discard") {
        if (options.dryRun) handBack.push(message);
        else {
          await options.sqs.send(
            new DeleteMessageCommand({ QueueUrl: options.queueUrl, ReceiptHandle: message.ReceiptHandle }),
          );
          report.discarded++;
          log(`discarded ${id}: ${cause}${table ? ` (${table})` : ""}`);
        }
        continue;
      }
      if (!records) {
        handBack.push(message);
        report.kept.push({ messageId: id, reason: problem ?? cause });
        log(`${options.dryRun ? "(dry run) would keep" : "kept"} ${id}: ${problem ?? cause}`);
        continue;
      }
      if (options.dryRun) {
        handBack.push(message);
        report.records += records.length;
        continue;
      }
      replays.push({ message, id, records, cause });
    }
    await replay(replays);
  }
  // The replayed records go through the indexer again: watch for any that fail again, so the report
  // says so now rather than on the next run.
  const watchMs = options.dryRun || putHere.length === 0 ? 0 : (options.watchMs ?? 0);
  const watchStart = Date.now();
  // Every replayed record back in the queue: nothing left to wait for.
  while (Date.now() - watchStart < watchMs && report.failedAgain < putHere.length && !stopped()) {
    const received = await options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: options.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: options.visibilityTimeoutSeconds ?? 120,
        WaitTimeSeconds: 1,
      }),
    );
    for (const message of received.Messages ?? []) {
      handBack.push(message);
      if (seen.has(message.MessageId as string)) continue;
      seen.add(message.MessageId as string);
      const plan = planReplay(message.Body ?? "");
      if (isFromThisRun(plan, putHere)) countFailedAgain(plan);
    }
    if (!received.Messages?.length) await sleep(250);
  }
  report.watchedMs = Math.min(watchMs, Date.now() - watchStart);
  report.stopped = stopped();

  for (const message of handBack)
    await options.sqs.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: options.queueUrl,
        ReceiptHandle: message.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
  return report;
}
