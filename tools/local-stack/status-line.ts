/**
 * `npm start`'s status line: what the capture sent this run, the indexer's outcomes (its EMF metrics),
 * what is in flight, the DLQ's depth and the freshness of the newest change. Where it does not fit (an
 * 80-column terminal), the counts that are zero and say least (stale, dead-lettered, in flight) go
 * first, so the DLQ's depth and the freshness stay in view; past that, the terminal cuts it.
 */
import type { IndexerTally } from "./terminal";

export type StatusFigures = {
  captured: number;
  tally: IndexerTally;
  inFlight: number;
  /** Undefined when the queue's depth cannot be read. */
  dlqDepth: number | undefined;
  freshnessMs: number | undefined;
};

export function statusLine(f: StatusFigures, columns?: number): string {
  const parts: { text: string; droppable: boolean }[] = [
    { text: `captured ${f.captured}`, droppable: false },
    { text: `applied ${f.tally.applied}`, droppable: false },
    { text: `stale ${f.tally.stale}`, droppable: f.tally.stale === 0 },
    { text: `dead-lettered ${f.tally.deadLettered}`, droppable: f.tally.deadLettered === 0 },
    // Records refused whose rows have changed since: shown once there is one (superseded.ts).
    ...(f.tally.superseded > 0 ? [{ text: `superseded ${f.tally.superseded}`, droppable: false }] : []),
    { text: `in flight ${f.inFlight}`, droppable: f.inFlight === 0 },
    { text: `DLQ ${f.dlqDepth ?? "?"}`, droppable: false },
    {
      text: `freshness ${f.freshnessMs === undefined ? "-" : `${(f.freshnessMs / 1000).toFixed(2)} s`}`,
      droppable: false,
    },
  ];
  const full = parts.map((p) => p.text).join(" · ");
  if (!columns || [...full].length < columns) return full;
  return parts
    .filter((p) => !p.droppable)
    .map((p) => p.text)
    .join(" · ");
}
