/**
 * Tables whose key or index changed in the routing config since the stack's last start, or that left
 * it: the capture loads a table in full only when the table is new to it, so nothing repairs the index
 * by itself. A changed key gives every document a new id (the old ones stay, the new ones come with each
 * change); a new index holds only the changes made after it; a table no longer configured leaves its
 * index as it was. The stack keeps each table's key and index from its last start (tables.json) and says
 * once what repairs them. Pure.
 */
import { indicesOf, type PipelineConfig } from "../../shared/pipeline-config";

/** Each configured table's key as configured (null: the default) and its own index. */
export type TableState = Record<string, { key: string[] | null; index: string; indices: string[] }>;

export function tableState(pipeline: PipelineConfig): TableState {
  return Object.fromEntries(
    pipeline
      .tables()
      .map((t) => [t.table, { key: t.primaryKey ?? null, index: t.index, indices: indicesOf(t) }]),
  );
}

const shownKey = (key: string[] | null) => (key ? `[${key.join(", ")}]` : "the default ([id])");

/** A line per table whose key or index changed, and per table no longer configured. */
export function tableHints(previous: TableState, current: TableState): string[] {
  const hints: string[] = [];
  for (const [table, now] of Object.entries(current)) {
    const before = previous[table];
    if (!before) continue;
    if (JSON.stringify(before.key) !== JSON.stringify(now.key))
      hints.push(
        `${table}'s key is now ${shownKey(now.key)} (was ${shownKey(before.key)}): its documents get new ids and the old ones stay; to rebuild its indices: npm run reload -- --rebuild ${table}`,
      );
    else if (before.index !== now.index)
      hints.push(
        `${table} now writes to index ${now.index} (was ${before.index}): rows written before are not in it; to fill it: npm run reload -- ${table} (${before.index} keeps its documents until deleted)`,
      );
  }
  for (const [table, before] of Object.entries(previous))
    if (!Object.hasOwn(current, table))
      hints.push(
        `${table} is no longer in the routing config: it is not captured, and ${before.indices.join(", ")} keep${before.indices.length === 1 ? "s" : ""} its documents as they were until deleted`,
      );
  return hints;
}
