/**
 * Routes added to a table the stack captured before: the capture loads a table in full only when the
 * table is new to it, so a new route's index holds only the changes made after it was added. The stack
 * keeps each table's route indices from its last start (routes.json) and says once what fills a new
 * one. Pure.
 */
import type { PipelineConfig } from "../../shared/pipeline-config";

/** Each configured table's route indices, as the stack records them. */
export type RouteIndices = Record<string, string[]>;

export function routeIndices(pipeline: PipelineConfig): RouteIndices {
  return Object.fromEntries(pipeline.tables().map((t) => [t.table, t.routes.map((r) => r.index)]));
}

/** A line per route new to a table that was captured before (a new table is loaded whole anyway). */
export function newRouteHints(previous: RouteIndices, current: RouteIndices): string[] {
  const hints: string[] = [];
  for (const [table, indices] of Object.entries(current)) {
    const before = previous[table];
    if (!before) continue;
    for (const index of indices.filter((i) => !before.includes(i)))
      hints.push(
        `route ${index} is new: rows of ${table} written before it are not in it; to fill it: npm run reload -- ${table}`,
      );
  }
  return hints;
}
