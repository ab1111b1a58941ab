/**
 * One Kinesis batch: parse -> plan -> compact -> bulk (with retries) -> dead-letter -> partial batch
 * response. A record is acknowledged only once it is applied in OpenSearch, provably stale, or accepted
 * by the dead-letter queue; otherwise Lambda retries from the lowest failed sequence number.
 */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Context, KinesisStreamBatchResponse, KinesisStreamRecord } from "aws-lambda";
import { buildDeadLetter, type Failure } from "../../shared/dead-letters";
import { PermanentRecordError } from "../../shared/errors";
import type { PipelineConfig } from "../../shared/pipeline-config";
import { type BulkClient, type RetryPolicy, writeBulk } from "./bulk-writer";
import type { ItemOutcome } from "./classify";
import { type CompactedAction, compact, type PlannedAction } from "./compact";
import { type DeadLetterEntry, sendDeadLetters } from "./dead-letter";
import { parseDmsMessage } from "./dms-message";
import { planChange } from "./plan";
import { versionCommitMillis } from "./version";

export type BatchDeps = {
  search: BulkClient;
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
  deadLettered: number;
  retried: number;
  failedToRetry: number;
  bulkRequests: number;
  bulkLatenciesMs: number[];
  freshnessMs: number[];
  usedRecordTimestamp: number;
};

type RecordState = {
  record: KinesisStreamRecord;
  status: "done" | "retry" | "permanent";
  failure?: Failure;
  table?: string;
  operation?: string;
  commitMillis?: number;
};

function lowestSequence(states: RecordState[]): string | undefined {
  let lowest: bigint | undefined;
  let text: string | undefined;
  for (const s of states) {
    const seq = BigInt(s.record.kinesis.sequenceNumber);
    if (lowest === undefined || seq < lowest) {
      lowest = seq;
      text = s.record.kinesis.sequenceNumber;
    }
  }
  return text;
}

export async function processBatch(
  records: KinesisStreamRecord[],
  context: Context,
  deps: BatchDeps,
): Promise<{ response: KinesisStreamBatchResponse; stats: BatchStats }> {
  const now = deps.now ?? Date.now;
  const stats: BatchStats = {
    received: records.length,
    controlSkipped: 0,
    indexed: 0,
    deleted: 0,
    stale: 0,
    compacted: 0,
    filtered: 0,
    deadLettered: 0,
    retried: 0,
    failedToRetry: 0,
    bulkRequests: 0,
    bulkLatenciesMs: [],
    freshnessMs: [],
    usedRecordTimestamp: 0,
  };
  const states: RecordState[] = records.map((record) => ({ record, status: "done" }));
  const planned: PlannedAction[] = [];

  states.forEach((state, i) => {
    let stage: Failure["stage"] = "parse";
    try {
      const message = parseDmsMessage(Buffer.from(state.record.kinesis.data, "base64"));
      state.table = `${message.schema}.${message.table}`;
      state.operation = message.operation;
      if (message.kind === "control") {
        stats.controlSkipped++;
        return;
      }
      if (message.position.kind === "commit" && message.position.fromRecordTimestamp)
        stats.usedRecordTimestamp++;
      stage = "plan";
      const plan = planChange(message, deps.pipeline.routingFor(message.schema, message.table));
      stats.filtered += plan.filtered;
      for (const action of plan.actions) planned.push({ action, record: i });
      // Freshness is measured on changes only: a snapshot row has no commit time.
      if (message.position.kind === "commit" && plan.actions[0])
        state.commitMillis = versionCommitMillis(plan.actions[0].version);
    } catch (error) {
      const known = error instanceof PermanentRecordError;
      if (!known)
        deps.logger.error("unexpected error while planning a record", { error: error as Error, stage });
      state.status = "permanent";
      state.failure = {
        stage,
        type: known ? error.code : "unexpected_error",
        reason: (error as Error).message,
      };
    }
  });

  const { actions, compacted } = compact(planned);
  stats.compacted = compacted;

  if (actions.length > 0) {
    const { outcomes, stats: write } = await writeBulk<CompactedAction>(
      deps.search,
      actions,
      (a) => a.action,
      deps.settings.retry,
      {
        remainingMs: () => context.getRemainingTimeInMillis(),
        now,
        ...(deps.random && { random: deps.random }),
        ...(deps.sleep && { sleep: deps.sleep }),
      },
    );
    stats.bulkRequests = write.requests;
    stats.bulkLatenciesMs = write.latenciesMs;
    stats.retried = write.retried;
    for (const compactedAction of actions) {
      const outcome = outcomes.get(compactedAction) as ItemOutcome;
      applyOutcome(compactedAction, outcome, states, stats);
    }
  }

  // Records at or after the lowest retryable one will be delivered again: dead-letter only those before it.
  const retrying = states.filter((s) => s.status === "retry");
  const checkpoint = lowestSequence(retrying);
  const beforeCheckpoint = (s: RecordState) =>
    checkpoint === undefined || BigInt(s.record.kinesis.sequenceNumber) < BigInt(checkpoint);
  const toDeadLetter = states.filter((s) => s.status === "permanent" && beforeCheckpoint(s));
  if (toDeadLetter.length > 0) {
    const failureContext = {
      functionName: context.functionName,
      functionVersion: context.functionVersion,
      awsRequestId: context.awsRequestId,
      now: new Date(now()),
    };
    const entries: DeadLetterEntry[] = toDeadLetter.map((s, i) => ({
      id: String(i),
      body: buildDeadLetter(
        s.record,
        s.failure as Failure,
        failureContext,
        { ...(s.table && { table: s.table }), ...(s.operation && { operation: s.operation }) },
        deps.settings.dlqMaxMessageBytes,
      ),
    }));
    const { failed, errors } = await sendDeadLetters(
      deps.sqs,
      deps.settings.dlqUrl,
      entries,
      deps.settings.dlqMaxMessageBytes,
    );
    toDeadLetter.forEach((s, i) => {
      const refused = failed.has(String(i));
      if (refused) s.status = "retry";
      else stats.deadLettered++;
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

  const failing = states.filter(
    (s) => s.status === "retry" || (s.status === "permanent" && !beforeCheckpoint(s)),
  );
  stats.failedToRetry = failing.length;
  const lowest = lowestSequence(failing);
  const current = now();
  for (const s of states) {
    if (s.status === "done" && s.commitMillis !== undefined)
      stats.freshnessMs.push(Math.max(0, current - s.commitMillis));
  }
  return { response: { batchItemFailures: lowest ? [{ itemIdentifier: lowest }] : [] }, stats };
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
      }
  }
}
