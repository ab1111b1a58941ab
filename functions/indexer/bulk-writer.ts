/**
 * Sends actions with `client.bulk` (not helpers.bulk, which misattributes failed items when deletes and
 * indexes mix), maps every response item back by position, splits requests on 413/400, and retries
 * retryable items with exponential backoff and full jitter while the invocation's time budget allows.
 */
import { backoffDelay } from "../../shared/backoff";
import { type BulkEntry, bodyOf, splitEntries, toEntries } from "./bulk-body";
import { type BulkResponseItem, classifyItem, classifyRequestError, type ItemOutcome } from "./classify";
import type { Action } from "./plan";

export type BulkClient = {
  bulk(
    params: { body: Buffer },
    options: { requestTimeout: number },
  ): Promise<{ body: { errors?: boolean; items?: Record<string, BulkResponseItem>[] } }>;
};

export type RetryPolicy = {
  maxBytes: number;
  maxActions: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Time kept back from the deadline for the dead-letter queue and the response. */
  safetyMarginMs: number;
};

export type WriteStats = { requests: number; retried: number; splits: number; latenciesMs: number[] };

export type WriteEnv = {
  remainingMs: () => number;
  random?: () => number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
};

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function writeBulk<T>(
  client: BulkClient,
  items: T[],
  actionOf: (item: T) => Action,
  policy: RetryPolicy,
  env: WriteEnv,
): Promise<{ outcomes: Map<T, ItemOutcome>; stats: WriteStats }> {
  const random = env.random ?? Math.random;
  const sleep = env.sleep ?? defaultSleep;
  const now = env.now ?? Date.now;
  const outcomes = new Map<T, ItemOutcome>();
  const stats: WriteStats = { requests: 0, retried: 0, splits: 0, latenciesMs: [] };
  let pending = toEntries(items, actionOf);

  for (let attempt = 0; pending.length > 0; attempt++) {
    const retry: BulkEntry<T>[] = [];
    const queue = splitEntries(pending, policy.maxBytes, policy.maxActions);
    while (queue.length > 0) {
      const chunk = queue.shift() as BulkEntry<T>[];
      const budget = env.remainingMs() - policy.safetyMarginMs;
      if (budget <= 0) {
        for (const e of chunk) {
          outcomes.set(e.item, {
            kind: "retryable",
            status: 0,
            type: "deadline",
            reason: "no time left in this invocation",
          });
        }
        continue;
      }
      const started = now();
      stats.requests++;
      try {
        const { body } = await client.bulk({ body: bodyOf(chunk) }, { requestTimeout: budget });
        stats.latenciesMs.push(now() - started);
        const responseItems = body.items ?? [];
        chunk.forEach((entry, i) => {
          const op = actionOf(entry.item).op;
          const wrapper = responseItems[i];
          const item = wrapper?.[op] ?? (wrapper ? Object.values(wrapper)[0] : undefined);
          const outcome: ItemOutcome = item
            ? classifyItem(op, item)
            : {
                kind: "retryable",
                status: 0,
                type: "missing_item",
                reason: "bulk response has no item for this action",
              };
          outcomes.set(entry.item, outcome);
          if (outcome.kind === "retryable") retry.push(entry);
        });
      } catch (error) {
        stats.latenciesMs.push(now() - started);
        const failure = classifyRequestError(error);
        if (failure.kind === "split" && chunk.length > 1) {
          stats.splits++;
          const half = Math.ceil(chunk.length / 2);
          queue.unshift(chunk.slice(0, half), chunk.slice(half));
          continue;
        }
        const kind = failure.kind === "split" ? "permanent" : "retryable";
        for (const entry of chunk) {
          outcomes.set(entry.item, {
            kind,
            status: failure.status,
            type: failure.type,
            reason: failure.reason,
          });
          if (kind === "retryable") retry.push(entry);
        }
      }
    }
    if (retry.length === 0) break;
    const delay = backoffDelay(attempt, policy, random);
    if (env.remainingMs() - policy.safetyMarginMs - delay <= 0) break;
    await sleep(delay);
    stats.retried += retry.length;
    pending = retry;
  }
  return { outcomes, stats };
}
