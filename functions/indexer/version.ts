/**
 * External document versions from the change's commit position, so that any order of delivery converges
 * (`version_type: external_gte`): version = (commit µs − 2020-01-01) × 8192 + offset in transaction.
 * The offset saturates at 8191: within one huge transaction later records tie, and ties are resolved by
 * delivery order (external_gte accepts equal versions). The value fits a signed 64-bit long until 2055.
 */
import type { CommitPosition } from "./dms-message";

const EPOCH_MICROS = BigInt(Date.UTC(2020, 0, 1)) * 1000n;
const OFFSET_SLOTS = 8192n;
const MAX_VERSION = (1n << 63n) - 1n;

export function documentVersion(position: CommitPosition): bigint {
  const since = position.micros - EPOCH_MICROS;
  const offset = BigInt(Math.min(position.recordOffset, Number(OFFSET_SLOTS) - 1));
  const version = (since < 0n ? 0n : since) * OFFSET_SLOTS + offset;
  return version > MAX_VERSION ? MAX_VERSION : version;
}

/** Commit time of a version in epoch milliseconds (for freshness). */
export function versionCommitMillis(version: bigint): number {
  return Number((version / OFFSET_SLOTS + EPOCH_MICROS) / 1000n);
}
