/**
 * In-batch compaction: several changes to the same document (index + id) in one batch become one bulk
 * action, the newest (highest version; on a tie, the later one in the batch). The records whose actions
 * were folded in share the survivor's outcome.
 */
import type { Action } from "./plan";

export type PlannedAction = { action: Action; record: number };
export type CompactedAction = { action: Action; records: number[] };

// A class, not an object literal: see BatchRecord in process-batch.ts.
class Compacted implements CompactedAction {
  records: number[];
  constructor(
    public action: Action,
    record: number,
  ) {
    this.records = [record];
  }
}

export function compact(planned: PlannedAction[]): { actions: CompactedAction[]; compacted: number } {
  // Per index, per id (no key string built per action); the survivors keep first-seen order.
  const byIndex = new Map<string, Map<string, CompactedAction>>();
  const actions: CompactedAction[] = [];
  for (const { action, record } of planned) {
    let byId = byIndex.get(action.index);
    if (!byId) {
      byId = new Map();
      byIndex.set(action.index, byId);
    }
    const current = byId.get(action.id);
    if (!current) {
      const entry = new Compacted(action, record);
      byId.set(action.id, entry);
      actions.push(entry);
      continue;
    }
    if (!current.records.includes(record)) current.records.push(record);
    if (action.version >= current.action.version) current.action = action;
  }
  return { actions, compacted: planned.length - actions.length };
}
