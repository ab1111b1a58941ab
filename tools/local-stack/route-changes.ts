/**
 * Routes added to a table the stack captured before, or whose condition changed: the capture loads a
 * table in full only when the table is new to it, so a new route's index holds only the changes made
 * after it was added, and a changed route's index keeps documents that no longer match and lacks rows
 * that now do. The stack keeps each table's routes from its last start (routes.json) and says once what
 * repairs them. Pure.
 */
import type { PipelineConfig } from "../../shared/pipeline-config";

/** Each configured table's routes: index -> condition as written (JSON), as the stack records them. */
export type RouteState = Record<string, Record<string, string>>;

export function routeState(pipeline: PipelineConfig): RouteState {
  return Object.fromEntries(
    pipeline.tables().map((t) => [t.table, Object.fromEntries(t.routes.map((r) => [r.index, r.condition]))]),
  );
}

/**
 * A line per route new to a table captured before (a new table is loaded whole anyway), and per route
 * whose condition changed. A record from before conditions were kept (a list of indices) names new ones only.
 */
export function routeHints(previous: Record<string, unknown>, current: RouteState): string[] {
  const hints: string[] = [];
  for (const [table, routes] of Object.entries(current)) {
    const before = previous[table];
    if (before === undefined || before === null) continue;
    const known: Record<string, string | undefined> = Array.isArray(before)
      ? Object.fromEntries(before.map((index) => [String(index), undefined]))
      : (before as Record<string, string>);
    for (const [index, condition] of Object.entries(routes)) {
      if (!Object.hasOwn(known, index))
        hints.push(
          `route ${index} is new: rows of ${table} written before it are not in it; to fill it: npm run reload -- ${table}`,
        );
      else if (known[index] !== undefined && known[index] !== condition)
        hints.push(
          `route ${index} has a new condition: its index keeps documents that no longer match and lacks rows that now do; to rebuild it: npm run reload -- --rebuild ${table}`,
        );
    }
  }
  return hints;
}
