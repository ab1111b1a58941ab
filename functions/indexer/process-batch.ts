/**
 * One Kinesis batch: parse -> plan -> compact -> bulk (with retries) -> superseded failures ->
 * dead-letter -> partial batch response. A record is acknowledged only once it is applied in OpenSearch,
 * provably stale (a record that cannot be indexed, too, once a later change of its row is: superseded.ts),
 * or accepted by the dead-letter queue; otherwise Lambda retries from the lowest failed sequence number.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { buildDeadLetter, type Failure } from "../../shared/dead-letters";
import { PermanentRecordError } from "../../shared/errors";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { type BulkClient, type RetryPolicy, writeBulk } from "./bulk-writer";
import { batchItemFailures, leftForRetry, type RecordCheckpoint, toDeadLetter } from "./checkpoint";
import type { ItemOutcome } from "./classify";
import { type CompactedAction, compact, type PlannedAction } from "./compact";
import { type DeadLetterEntry, sendDeadLetters } from "./dead-letter";
import { type DmsChange, parseDmsMessage } from "./dms-message";
import { planChange, type RowDocument, rowDocument } from "./plan";
import { notBase64Hint, recordText } from "./record-data";
import { documentsToRead, isSuperseded, type VersionReader } from "./superseded";
import { versionCommitMillis } from "./version";

export type BatchDeps = {
  search: BulkClient & VersionReader;
  sqs: SQSClient;
  pipeline: PipelineConfig;
  logger: Logger;
  settings: { dlqUrl: string; dlqMaxMessageBytes: number; retry: RetryPolicy };
  now?: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
};

export type BatchStats = {
  received: number;
  controlSkipped: number;
  indexed: number;
  deleted: number;
  stale: number;
  compacted: number;
  filtered: number;
  /** Deletes of rows whose key no document can have (their inserts were dead-lettered for it). */
  nothingToDelete: number;
  deadLettered: number;
  /** Records that could not be indexed and were not dead-lettered: their rows have changed since. */
  superseded: number;
  retried: number;
  failedToRetry: number;
  bulkRequests: number;
  bulkLatenciesMs: number[];
  freshnessMs: number[];
  usedRecordTimestamp: number;
};

type RecordState = RecordCheckpoint & {
  record: KinesisStreamRecord;
  failure?: Failure;
  table?: string;
  operation?: string;
  commitMillis?: number;
  /** The record's document in its table's index, when it writes one and keeps its row's key. */
  document?: RowDocument;
  /** The record moved its row to another key (never superseded: see superseded.ts). */
  keyChanged?: true;
};

/**
 * A class, not an object literal, as are the other objects a batch keeps to its end (Planned, BulkAction,
 * Compacted, Entry). V8 allocates the objects of a literal whose objects tend to outlive a young-generation
 * collection directly in the old generation ("allocation-site pretenuring"); old objects that point to
 * young ones keep them alive, dead or not, until a full collection. With literals here every scavenge
 * copied some 13 MB of finished batches (rows, documents) and collection took 17 % of the indexer's CPU;
 * `new` has no allocation site, and it takes 6 %. `npm run bench -- indexer` reports the survivors.
 */
class BatchRecord implements RecordState {
  sequenceNumber: string;
  status: RecordState["status"] = "done";
  failure?: Failure;
  table?: string;
  operation?: string;
  commitMillis?: number;
  document?: RowDocument;
  keyChanged?: true;
  constructor(readonly record: KinesisStreamRecord) {
    this.sequenceNumber = record.kinesis.sequenceNumber;
  }
}

const newStats = (received: number): BatchStats => ({
  received,
  controlSkipped: 0,
  indexed: 0,
  deleted: 0,
  stale: 0,
  compacted: 0,
  filtered: 0,
  nothingToDelete: 0,
  deadLettered: 0,
  superseded: 0,
  retried: 0,
  failedToRetry: 0,
  bulkRequests: 0,
  bulkLatenciesMs: [],
  freshnessMs: [],
  usedRecordTimestamp: 0,
});

export async function processBatch(
  records: KinesisStreamRecord[],
  context: Context,
  deps: BatchDeps,
): Promise<{ response: KinesisStreamBatchResponse; stats: BatchStats }> {
  const now = deps.now ?? Date.now;
  const stats = newStats(records.length);
  const states: RecordState[] = records.map((record) => new BatchRecord(record));
  const planned = parseAndPlan(states, deps, stats);
  const { actions, compacted } = compact(planned);
  stats.compacted = compacted;
  await applyActions(actions, states, context, deps, stats);
  await settleSupersededFailures(states, context, deps, stats);
  await deadLetterPermanentFailures(states, context, deps, stats);
  stats.failedToRetry = leftForRetry(states);
  noteFreshness(states, now(), stats);
  return { response: { batchItemFailures: batchItemFailures(states) }, stats };
}

// A class, not an object literal: see BatchRecord.
class Planned implements PlannedAction {
  constructor(
    readonly action: PlannedAction["action"],
    readonly record: number,
  ) {}
}

/** Step 1: each record parsed and planned into actions; a record that cannot be is a permanent failure. */
function parseAndPlan(states: RecordState[], deps: BatchDeps, stats: BatchStats): PlannedAction[] {
  const planned: PlannedAction[] = [];
  states.forEach((state, i) => {
    let stage: Failure["stage"] = "parse";
    let change: DmsChange | undefined;
    try {
      const message = parseDmsMessage(recordText(state.record.kinesis.data));
      state.table = `${message.schema}.${message.table}`;
      state.operation = message.operation;
      if (message.kind === "control") {
        stats.controlSkipped++;
        return;
      }
      if (message.position.kind === "commit" && message.position.fromRecordTimestamp)
        stats.usedRecordTimestamp++;
      stage = "plan";
      change = message;
      const plan = planChange(message, deps.pipeline.routingFor(message.schema, message.table));
      if (plan.keyChanged) state.keyChanged = true;
      if (plan.nothingToDelete) stats.nothingToDelete++;
      stats.filtered += plan.filtered;
      for (const action of plan.actions) planned.push(new Planned(action, i));
      // Freshness is measured on changes only: a snapshot row has no commit time.
      if (message.position.kind === "commit" && plan.actions[0])
        state.commitMillis = versionCommitMillis(plan.actions[0].version);
    } catch (error) {
      const known = error instanceof PermanentRecordError;
      if (!known)
        deps.logger.error("unexpected error while planning a record", { error: error as Error, stage });
      const hint =
        known && error.code === "invalid_json" ? notBase64Hint(state.record.kinesis.data) : undefined;
      state.status = "permanent";
      state.failure = {
        stage,
        type: known ? error.code : "unexpected_error",
        reason: hint ? `${(error as Error).message}; ${hint}` : (error as Error).message,
      };
      if (change) state.document = failedChangeDocument(change, deps.pipeline);
    }
  });
  return planned;
}

/** The document of a change whose plan failed, if it names one (superseded.ts). */
function failedChangeDocument(change: DmsChange, pipeline: BatchDeps["pipeline"]): RowDocument | undefined {
  try {
    return rowDocument(change, pipeline.routingFor(change.schema, change.table));
  } catch {
    return undefined; // no routing for its table: nothing to compare
  }
}

/**
 * Step 3: the records that could not be indexed whose rows have changed since (superseded.ts) are
 * acknowledged, not dead-lettered. One `_mget` of their documents' versions, within the time left; if it
 * fails, they go to the dead-letter queue as before.
 */
async function settleSupersededFailures(
  states: RecordState[],
  context: Context,
  deps: BatchDeps,
  stats: BatchStats,
): Promise<void> {
  const candidates = states.filter((s) => s.status === "permanent" && s.document && !s.keyChanged);
  if (candidates.length === 0) return;
  const budget = context.getRemainingTimeInMillis() - deps.settings.retry.safetyMarginMs;
  if (budget <= 0) return;
  let current: Map<string, bigint>;
  try {
    current = await deps.search.versions(documentsToRead(candidates.map((s) => s.document as RowDocument)), {
      requestTimeout: Math.min(budget, VERSIONS_TIMEOUT_MS),
    });
  } catch (error) {
    deps.logger.warn(
      "could not read whether records that cannot be indexed are superseded; dead-lettering them",
      {
        count: candidates.length,
        error: error as Error,
      },
    );
    return;
  }
  for (const s of candidates) {
    if (!isSuperseded(s.document as RowDocument, current)) continue;
    s.status = "done";
    s.commitMillis = undefined; // not applied: no freshness
    stats.superseded++;
    deps.logger.warn(
      "record cannot be indexed, but its row has changed since: superseded, not dead-lettered",
      {
        sequenceNumber: s.record.kinesis.sequenceNumber,
        table: s.table,
        operation: s.operation,
        error: { stage: s.failure?.stage, type: s.failure?.type, status: s.failure?.status },
      },
    );
  }
}

/** At most this long for the versions' `_mget` (a small request; the rest of the time is the DLQ's). */
const VERSIONS_TIMEOUT_MS = 5_000;

/** Step 2: the actions sent in bulk (with retries); each outcome lands on the records it came from. */
async function applyActions(
  actions: CompactedAction[],
  states: RecordState[],
  context: Context,
  deps: BatchDeps,
  stats: BatchStats,
): Promise<void> {
  if (actions.length === 0) return;
  const { outcomes, stats: write } = await writeBulk<CompactedAction>(
    deps.search,
    actions,
    (a) => a.action,
    deps.settings.retry,
    {
      remainingMs: () => context.getRemainingTimeInMillis(),
      now: deps.now ?? Date.now,
      ...(deps.random && { random: deps.random }),
      ...(deps.sleep && { sleep: deps.sleep }),
    },
  );
  stats.bulkRequests = write.requests;
  stats.bulkLatenciesMs = write.latenciesMs;
  stats.retried = write.retried;
  for (const action of actions) applyOutcome(action, outcomes.get(action) as ItemOutcome, states, stats);
  const causes = retryCauses(actions.map((a) => outcomes.get(a) as ItemOutcome));
  // Why the cluster did not take them: the one place that says it (a certificate refused, a 403 from a
  // role mapping, a domain that does not answer); the counts alone are in "batch processed".
  if (causes.length > 0)
    deps.logger.warn("records left for retry: OpenSearch did not take these actions in this invocation", {
      actions: causes.reduce((n, c) => n + c.count, 0),
      causes,
    });
}

/** The retryable outcomes by status and type, each with how many and the first one's reason (cut short). */
function retryCauses(
  outcomes: ItemOutcome[],
): { status: number; type: string; count: number; reason: string }[] {
  const causes = new Map<string, { status: number; type: string; count: number; reason: string }>();
  for (const o of outcomes) {
    if (o.kind !== "retryable") continue;
    const key = `${o.status} ${o.type}`;
    const cause = causes.get(key);
    if (cause) cause.count++;
    else causes.set(key, { status: o.status, type: o.type, count: 1, reason: o.reason.slice(0, 300) });
  }
  return [...causes.values()];
}

/** Time kept, at the end of an invocation, to return the batch response (and log its metrics). */
const ANSWER_RESERVE_MS = 1_000;

/**
 * Step 4: the permanent failures the checkpoint rule allows go to the DLQ; what the queue refuses is
 * retried instead (never acknowledged).
 */
async function deadLetterPermanentFailures(
  states: RecordState[],
  context: Context,
  deps: BatchDeps,
  stats: BatchStats,
): Promise<void> {
  const chosen = toDeadLetter(states).map((i) => states[i] as RecordState);
  if (chosen.length === 0) return;
  const failureContext = {
    functionName: context.functionName,
    functionVersion: context.functionVersion,
    awsRequestId: context.awsRequestId,
    now: new Date((deps.now ?? Date.now)()),
  };
  const entries: DeadLetterEntry[] = chosen.map((s, i) => ({
    id: String(i),
    body: buildDeadLetter(
      s.record,
      s.failure as Failure,
      failureContext,
      { ...(s.table && { table: s.table }), ...(s.operation && { operation: s.operation }) },
      deps.settings.dlqMaxMessageBytes,
    ),
  }));
  // The queue's answer is awaited until just before the function's time runs out: a send that has not
  // answered by then leaves its records for retry, and the batch response still reaches Lambda (else the
  // invocation times out, and Lambda retries and bisects the whole batch).
  const { failed, errors } = await sendDeadLetters(
    deps.sqs,
    deps.settings.dlqUrl,
    entries,
    deps.settings.dlqMaxMessageBytes,
    AbortSignal.timeout(Math.max(1, context.getRemainingTimeInMillis() - ANSWER_RESERVE_MS)),
  );
  chosen.forEach((s, i) => {
    const refused = failed.has(String(i));
    s.status = refused ? "retry" : "dead-lettered";
    if (!refused) stats.deadLettered++;
    deps.logger.warn(
      refused ? "dead-letter queue refused record; it will be retried" : "record dead-lettered",
      {
        sequenceNumber: s.record.kinesis.sequenceNumber,
        table: s.table,
        operation: s.operation,
        error: { stage: s.failure?.stage, type: s.failure?.type, status: s.failure?.status },
      },
    );
  });
  if (failed.size > 0)
    deps.logger.error("dead-letter queue did not accept records", { count: failed.size, errors });
}

function noteFreshness(states: RecordState[], current: number, stats: BatchStats): void {
  for (const s of states)
    if (s.status === "done" && s.commitMillis !== undefined)
      stats.freshnessMs.push(Math.max(0, current - s.commitMillis));
}

function applyOutcome(
  action: CompactedAction,
  outcome: ItemOutcome,
  states: RecordState[],
  stats: BatchStats,
): void {
  switch (outcome.kind) {
    case "applied":
      if (action.action.op === "index") stats.indexed++;
      else stats.deleted++;
      return;
    case "stale":
      stats.stale++;
      return;
    case "retryable":
      for (const r of action.records) {
        const s = states[r] as RecordState;
        s.status = "retry";
      }
      return;
    case "permanent":
      for (const r of action.records) {
        const s = states[r] as RecordState;
        if (s.status === "retry") continue;
        s.status = "permanent";
        s.failure ??= {
          stage: "index",
          status: outcome.status,
          type: outcome.type,
          reason: outcome.reason,
          index: action.action.index,
          documentId: action.action.id,
        };
        // The document refused, with the version sent (the latest of the records compacted into it).
        s.document ??= { index: action.action.index, id: action.action.id, version: action.action.version };
      }
  }
}
