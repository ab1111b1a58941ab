/**
 * In-batch compaction: several changes to the same document (index + id) in one batch become one bulk
 * action, the newest (highest version; on a tie, the later one in the batch). The records whose actions
 * were folded in share the survivor's outcome.
 */
import type { Action } from "./plan";

export type PlannedAction = { action: Action; record: number };
export type CompactedAction = { action: Action; records: number[] };

export function compact(planned: PlannedAction[]): { actions: CompactedAction[]; compacted: number } {
  const byKey = new Map<string, CompactedAction>();
  for (const { action, record } of planned) {
    const key = `${action.index}\u0000${action.id}`;
    const current = byKey.get(key);
    if (!current) {
      byKey.set(key, { action, records: [record] });
      continue;
    }
    if (!current.records.includes(record)) current.records.push(record);
    if (action.version >= current.action.version) current.action = action;
  }
  const actions = [...byKey.values()];
  return { actions, compacted: planned.length - actions.length };
}
