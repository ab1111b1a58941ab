/**
 * A local Lambda event source mapping for Kinesis: reads every shard, batches records per the mapping's
 * settings (BatchSize, MaximumBatchingWindowInSeconds, ParallelizationFactor with per-partition-key
 * order), invokes the handler in this process with a Lambda context and its timeout, and handles the
 * result as Lambda does: ReportBatchItemFailures checkpoints at the lowest failed sequence number,
 * BisectBatchOnFunctionError splits a failing batch (without using up retries), MaximumRetryAttempts and
 * MaximumRecordAgeInSeconds discard a batch to the on-failure destination (KinesisBatchInfo message).
 * Progress per shard is checkpointed so a restart resumes after the last finished record.
 */

import { createHash } from "node:crypto";
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  type KinesisClient,
  ListShardsCommand,
  type _Record as StreamRecord,
} from "@aws-sdk/client-kinesis";
import type {
  Context,
  KinesisStreamBatchResponse,
  KinesisStreamEvent,
  KinesisStreamRecord,
} from "aws-lambda";
import { backoffDelay } from "../../../shared/backoff";
import {
  buildOnFailureMessage,
  type DiscardCondition,
  type OnFailureMessage,
} from "../../../shared/dead-letters";
import { kinesisRecord } from "../../lib/kinesis-event";
import { createLambdaContext, withLambdaTimeout } from "../../lib/lambda-context";
import { LOCAL_RETRY } from "../retry";
import { decideAfterInvoke, expiredRecords, type Outcome } from "./batch-decision";
import { type CheckpointStore, MemoryCheckpoints } from "./checkpoints";
import type { EsmSettings } from "./esm-settings";

export type Invoke = (event: KinesisStreamEvent, context: Context) => Promise<unknown>;

export type PollerOptions = {
  kinesis: KinesisClient;
  streamName: string;
  streamArn: string;
  region: string;
  settings: EsmSettings;
  fn: { functionName: string; timeoutSeconds: number; memorySize: number };
  invoke: Invoke;
  /** The on-failure destination; without one, discarded batches are only counted (as in Lambda). */
  onFailure?: (record: OnFailureMessage) => Promise<void>;
  checkpoints?: CheckpointStore;
  /** How often an idle shard is polled (Lambda: about once a second; shorter here for freshness). */
  pollIntervalMs?: number;
  /** First delay before retrying a failed batch; doubles up to 1 s. */
  retryDelayMs?: number;
  /** Called with the records of each batch once they are acknowledged. */
  onAcknowledged?: (records: KinesisStreamRecord[]) => void;
  /** Called with the records of each GetRecords answer as they are queued (the freshness bench). */
  onRead?: (records: KinesisStreamRecord[]) => void;
  log?: (message: string) => void;
};

export type PollerStats = {
  read: number;
  acknowledged: number;
  invocations: number;
  functionErrors: number;
  partialFailures: number;
  discarded: number;
};

class Lane {
  queue: KinesisStreamRecord[] = [];
  firstQueuedAt = 0;
  busy: Promise<void> | undefined;
  timer: NodeJS.Timeout | undefined;
}

class Shard {
  readonly lanes: Lane[];
  /** Sequence numbers read and not yet part of the checkpoint, in stream order. */
  readonly order: string[] = [];
  readonly done = new Set<string>();
  /** When the last read that found the shard's end (nothing new, not behind) was started. */
  endSeenAt = 0;
  lastRead: string | undefined;
  constructor(
    readonly id: string,
    parallelization: number,
  ) {
    this.lanes = Array.from({ length: parallelization }, () => new Lane());
  }
  get pending(): number {
    return this.order.length;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function laneOf(partitionKey: string, lanes: number): number {
  return lanes === 1 ? 0 : createHash("md5").update(partitionKey).digest().readUInt32BE(0) % lanes;
}

export class KinesisPoller {
  readonly stats: PollerStats = {
    read: 0,
    acknowledged: 0,
    invocations: 0,
    functionErrors: 0,
    partialFailures: 0,
    discarded: 0,
  };
  private readonly shards = new Map<string, Shard>();
  private readonly loops: Promise<void>[] = [];
  private readonly checkpoints: CheckpointStore;
  private readonly log: (message: string) => void;
  private stopped = false;
  /** The last checkpoint could not be saved (said once until one is). */
  private checkpointFailing = false;

  /** The event-source settings in effect (from template.yaml, possibly overridden). */
  get settings(): EsmSettings {
    return this.options.settings;
  }

  constructor(private readonly options: PollerOptions) {
    this.checkpoints = options.checkpoints ?? new MemoryCheckpoints();
    this.log = options.log ?? (() => {});
  }

  async start(): Promise<void> {
    const listed = await this.options.kinesis.send(
      new ListShardsCommand({ StreamName: this.options.streamName }),
    );
    for (const { ShardId } of listed.Shards ?? []) {
      const shard = new Shard(ShardId as string, this.options.settings.parallelizationFactor);
      this.shards.set(shard.id, shard);
      this.loops.push(this.readLoop(shard));
    }
  }

  /** Records read but not acknowledged yet. */
  get inFlight(): number {
    let n = 0;
    for (const shard of this.shards.values()) n += shard.pending;
    return n;
  }

  /** True when every shard was read to its end by a read started at or after `since`, and all is acknowledged. */
  idle(since = 0): boolean {
    for (const shard of this.shards.values()) if (shard.endSeenAt < since || shard.pending > 0) return false;
    return this.shards.size > 0;
  }

  /** Waits until everything in the stream now is acknowledged (true) or the timeout passes (false). */
  async drain(timeoutMs: number): Promise<boolean> {
    const since = Date.now();
    const deadline = since + timeoutMs;
    while (Date.now() < deadline) {
      if (this.idle(since)) return true;
      await sleep(25);
    }
    return this.idle(since);
  }

  /**
   * Stops reading and invoking: an invocation under way is waited for at most `waitMs`, and nothing of a
   * batch is invoked again (no retry, no bisect), so a stop does not wait out a cluster that refuses
   * writes (each invocation retries until its timeout, then the batch is retried). What is not
   * acknowledged stays after the checkpoint and is read again by the next start.
   */
  async stop(waitMs = Number.POSITIVE_INFINITY): Promise<boolean> {
    this.stopped = true;
    for (const shard of this.shards.values())
      for (const lane of shard.lanes) {
        clearTimeout(lane.timer);
      }
    await Promise.all(this.loops);
    const busy = Promise.all([...this.shards.values()].flatMap((s) => s.lanes.map((l) => l.busy))).then(
      () => true,
    );
    if (waitMs === Number.POSITIVE_INFINITY) return busy;
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), waitMs);
    });
    const finished = await Promise.race([busy, gaveUp]);
    clearTimeout(timer);
    return finished;
  }

  private async iterator(shard: Shard): Promise<string> {
    const after = shard.lastRead ?? this.checkpoints.get(this.options.streamArn, shard.id);
    const request = after
      ? { ShardIteratorType: "AFTER_SEQUENCE_NUMBER" as const, StartingSequenceNumber: after }
      : { ShardIteratorType: this.options.settings.startingPosition };
    try {
      const r = await this.options.kinesis.send(
        new GetShardIteratorCommand({ StreamName: this.options.streamName, ShardId: shard.id, ...request }),
      );
      return r.ShardIterator as string;
    } catch (error) {
      if (!after) throw error;
      this.log(`poller: checkpoint ${after} of ${shard.id} is not in the stream; reading from the start`);
      shard.lastRead = undefined;
      const r = await this.options.kinesis.send(
        new GetShardIteratorCommand({
          StreamName: this.options.streamName,
          ShardId: shard.id,
          ShardIteratorType: "TRIM_HORIZON",
        }),
      );
      return r.ShardIterator as string;
    }
  }

  private async readLoop(shard: Shard): Promise<void> {
    const { settings } = this.options;
    const maxBuffered = settings.batchSize * settings.parallelizationFactor * 4;
    const pollMs = this.options.pollIntervalMs ?? 100;
    let iterator: string | undefined;
    while (!this.stopped) {
      try {
        if (shard.pending >= maxBuffered) {
          await sleep(pollMs);
          continue;
        }
        iterator ??= await this.iterator(shard);
        const startedAt = Date.now();
        const r = await this.options.kinesis.send(
          new GetRecordsCommand({ ShardIterator: iterator, Limit: 10_000 }),
        );
        iterator = r.NextShardIterator;
        const read = (r.Records ?? []).map((record) => this.enqueue(shard, record));
        if (read.length > 0) this.options.onRead?.(read);
        for (const lane of shard.lanes) this.kick(shard, lane);
        if ((r.Records?.length ?? 0) === 0 && (r.MillisBehindLatest ?? 0) === 0) shard.endSeenAt = startedAt;
        if (!r.Records?.length) await sleep(pollMs);
      } catch (error) {
        if (this.stopped) return;
        iterator = undefined;
        // A shard iterator lasts 5 minutes: one in hand across a laptop sleep or a Ctrl-Z, or kept while
        // the indexer is behind (maxBuffered), has expired.
        if ((error as Error).name === "ExpiredIteratorException") {
          this.log(
            `poller: ${shard.id}: its read position expired (over 5 minutes since the last read: the stack was paused, or the indexer behind); reading on after the last record read`,
          );
          continue;
        }
        this.log(`poller: reading ${shard.id} failed (${(error as Error).message}); retrying`);
        await sleep(500);
      }
    }
  }

  private enqueue(shard: Shard, record: StreamRecord): KinesisStreamRecord {
    const sequence = record.SequenceNumber as string;
    const event = kinesisRecord(
      { partitionKey: record.PartitionKey as string, data: Buffer.from(record.Data ?? new Uint8Array()) },
      0,
      {
        streamArn: this.options.streamArn,
        shardId: shard.id,
        sequence,
        arrival: (record.ApproximateArrivalTimestamp ?? new Date()).getTime() / 1000,
      },
    );
    event.awsRegion = this.options.region;
    const lane = shard.lanes[laneOf(event.kinesis.partitionKey, shard.lanes.length)] as Lane;
    if (lane.queue.length === 0) lane.firstQueuedAt = Date.now();
    lane.queue.push(event);
    shard.order.push(sequence);
    shard.lastRead = sequence;
    this.stats.read++;
    return event;
  }

  /** Starts a batch on the lane when it is full or its batching window has passed. */
  private kick(shard: Shard, lane: Lane): void {
    if (lane.busy || lane.queue.length === 0 || this.stopped) return;
    const { batchSize, batchingWindowMs } = this.options.settings;
    const waitMs = lane.firstQueuedAt + batchingWindowMs - Date.now();
    if (lane.queue.length < batchSize && waitMs > 0) {
      lane.timer ??= setTimeout(() => {
        lane.timer = undefined;
        this.kick(shard, lane);
      }, waitMs);
      return;
    }
    clearTimeout(lane.timer);
    lane.timer = undefined;
    const batch = lane.queue.splice(0, batchSize);
    lane.firstQueuedAt = Date.now();
    lane.busy = this.processBatch(shard, batch).finally(() => {
      lane.busy = undefined;
      this.kick(shard, lane);
    });
  }

  private async processBatch(shard: Shard, batch: KinesisStreamRecord[]): Promise<void> {
    const { settings } = this.options;
    const decisionSettings = { ...settings, retryDelayMs: this.options.retryDelayMs ?? 100 };
    const work: { records: KinesisStreamRecord[]; attempts: number; invocations: number }[] = [
      { records: batch, attempts: 0, invocations: 0 },
    ];
    // Once stopped, nothing is invoked again: the rest stays unacknowledged for the next start.
    while (work.length > 0 && !this.stopped) {
      const item = work[0] as (typeof work)[number];
      const expired = new Set(
        expiredRecords(
          item.records.map((r) => r.kinesis.approximateArrivalTimestamp),
          Date.now() / 1000,
          settings.maximumRecordAgeSeconds,
        ),
      );
      if (expired.size > 0) {
        const old = item.records.filter((_, i) => expired.has(i));
        await this.discard(shard, old, "RecordAgeExceeded", item.invocations, false);
        item.records = item.records.filter((_, i) => !expired.has(i));
        if (item.records.length === 0) {
          work.shift();
          continue;
        }
      }
      const outcome = await this.invoke(item.records);
      item.invocations++;
      if (outcome.kind === "partial") this.stats.partialFailures++;
      const decision = decideAfterInvoke(
        { size: item.records.length, attempts: item.attempts },
        outcome,
        decisionSettings,
      );
      switch (decision.kind) {
        case "done":
          this.acknowledge(shard, item.records);
          work.shift();
          break;
        case "split":
          work.splice(
            0,
            1,
            { ...item, records: item.records.slice(0, decision.firstHalf) },
            { ...item, records: item.records.slice(decision.firstHalf) },
          );
          break;
        case "discard":
          this.acknowledge(shard, item.records.slice(0, decision.acknowledge));
          await this.discard(
            shard,
            item.records.slice(decision.acknowledge),
            "RetryAttemptsExhausted",
            item.invocations,
            decision.functionError,
          );
          work.shift();
          break;
        case "retry":
          this.acknowledge(shard, item.records.slice(0, decision.acknowledge));
          item.records = item.records.slice(decision.acknowledge);
          item.attempts = decision.attempts;
          await sleep(decision.delayMs);
          break;
      }
    }
  }

  private async invoke(records: KinesisStreamRecord[]): Promise<Outcome> {
    const { fn } = this.options;
    this.stats.invocations++;
    const context = createLambdaContext({
      functionName: fn.functionName,
      timeoutSeconds: fn.timeoutSeconds,
      memorySize: fn.memorySize,
      region: this.options.region,
    });
    try {
      const result = (await withLambdaTimeout(
        this.options.invoke({ Records: records }, context),
        fn.timeoutSeconds,
      )) as KinesisStreamBatchResponse | undefined | null;
      if (!this.options.settings.reportBatchItemFailures) return { kind: "ok" };
      const failures = result?.batchItemFailures ?? [];
      if (failures.length === 0) return { kind: "ok" };
      // Lambda checkpoints at the lowest reported sequence number; an unknown one fails the whole batch.
      let from = Number.POSITIVE_INFINITY;
      for (const failure of failures) {
        const index = records.findIndex((r) => r.kinesis.sequenceNumber === failure.itemIdentifier);
        if (index < 0) return { kind: "failed", functionError: false, message: "invalid batchItemFailures" };
        from = Math.min(from, index);
      }
      return { kind: "partial", from };
    } catch (error) {
      this.stats.functionErrors++;
      this.log(`poller: ${fn.functionName} failed on ${records.length} records: ${(error as Error).message}`);
      return { kind: "failed", functionError: true, message: (error as Error).message };
    }
  }

  private acknowledge(shard: Shard, records: KinesisStreamRecord[]): void {
    if (records.length === 0) return;
    for (const r of records) shard.done.add(r.kinesis.sequenceNumber);
    this.stats.acknowledged += records.length;
    this.advanceCheckpoint(shard);
    this.options.onAcknowledged?.(records);
  }

  private async discard(
    shard: Shard,
    records: KinesisStreamRecord[],
    condition: DiscardCondition,
    invokeCount: number,
    functionError: boolean,
  ): Promise<void> {
    const { fn, region, streamArn } = this.options;
    const message = buildOnFailureMessage({
      records,
      shardId: shard.id,
      streamArn,
      functionArn: `arn:aws:lambda:${region}:123456789012:function:${fn.functionName}`,
      condition,
      invokeCount,
      functionError,
      now: new Date(),
    });
    for (let attempt = 0; this.options.onFailure; attempt++) {
      try {
        await this.options.onFailure(message);
        break;
      } catch (error) {
        // Stopping: not discarded, so not acknowledged; the next start reads these records again.
        if (this.stopped) return;
        this.log(`poller: on-failure destination refused a message (${(error as Error).message}); retrying`);
        await sleep(backoffDelay(attempt, LOCAL_RETRY));
      }
    }
    this.stats.discarded += records.length;
    this.log(`poller: discarded ${records.length} records of ${shard.id} (${condition})`);
    for (const r of records) shard.done.add(r.kinesis.sequenceNumber);
    this.advanceCheckpoint(shard);
  }

  /** Moves the shard's checkpoint past every record finished in stream order. */
  private advanceCheckpoint(shard: Shard): void {
    let last: string | undefined;
    while (shard.order.length > 0 && shard.done.has(shard.order[0] as string)) {
      last = shard.order.shift() as string;
      shard.done.delete(last);
    }
    if (!last) return;
    // A checkpoint that cannot be saved (a full disk) only means a restart reads those records again,
    // which the indexer's versions make harmless: said once, never a failure of the batch (nor a crash).
    try {
      this.checkpoints.set(this.options.streamArn, shard.id, last);
      this.checkpointFailing = false;
    } catch (error) {
      if (!this.checkpointFailing)
        this.log(
          `poller: cannot save the checkpoint (${(error as Error).message}); a restart reads the records after the last one saved again (harmless)`,
        );
      this.checkpointFailing = true;
    }
  }
}
