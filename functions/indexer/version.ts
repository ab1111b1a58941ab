/**
 * External document versions from the change's commit position, so that any order of delivery converges
 * (`version_type: external_gte`): version = (commit µs − 2020-01-01) × 8192 + offset in transaction.
 * The offset saturates at 8191: within one huge transaction later records tie, and ties are resolved by
 * delivery order (external_gte accepts equal versions). The value fits a signed 64-bit long until 2055.
 *
 * Full-load records have no commit position and take version 0, below every change: a change committed
 * during the load (delivered after the load records, with an earlier commit time than their build time)
 * always wins over the snapshot, and a re-delivered load record never rolls a document back. Equal
 * versions overwrite, so a later load of a row no change has touched still lands.
 */
import type { CommitPosition } from "./dms-message";

const EPOCH_MICROS = BigInt(Date.UTC(2020, 0, 1)) * 1000n;
const OFFSET_SLOTS = 8192n;
const MAX_VERSION = (1n << 63n) - 1n;
/** The version of every full-load record. */
export const SNAPSHOT_VERSION = 0n;

export function documentVersion(position: CommitPosition): bigint {
  if (position.kind === "snapshot") return SNAPSHOT_VERSION;
  const since = position.micros - EPOCH_MICROS;
  const offset = BigInt(Math.min(position.recordOffset, Number(OFFSET_SLOTS) - 1));
  // A commit before 2020 still ranks above a snapshot.
  const version = (since < 1n ? 1n : since) * OFFSET_SLOTS + offset;
  return version > MAX_VERSION ? MAX_VERSION : version;
}

/** Commit time of a version in epoch milliseconds (for freshness). */
export function versionCommitMillis(version: bigint): number {
  return Number((version / OFFSET_SLOTS + EPOCH_MICROS) / 1000n);
}
