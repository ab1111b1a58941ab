/**
 * The one retry delay of the project: exponential backoff with full jitter, a uniform delay in
 * [0, min(cap, base × 2^attempt)] (attempt 0 is the first retry).
 */
export type Backoff = { baseDelayMs: number; maxDelayMs: number };

export function backoffDelay(attempt: number, backoff: Backoff, random: () => number = Math.random): number {
  return Math.floor(random() * Math.min(backoff.maxDelayMs, backoff.baseDelayMs * 2 ** attempt));
}
