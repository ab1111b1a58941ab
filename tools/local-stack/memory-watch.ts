/**
 * The stack runs in one Node process whose heap has a limit (about a quarter of the machine's memory,
 * at most 4 GB by default), and the OpenSearch API emulator keeps every document in memory. Past the
 * limit the process ends with every part in it, and well before it collection takes all its time (the
 * status line stops). Said before that: once what a full collection leaves in use (not garbage waiting
 * for one) passes 60 % of the limit, and again at 80 % if there is still time.
 */
import { constants, PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";

export const HEAP_WARNINGS = [0.6, 0.8] as const;

export type HeapReading = { used: number; limit: number; emulatorDocuments?: number };

const gb = (bytes: number) => (bytes / 2 ** 30).toFixed(1);

/** The warning for a reading past a threshold not said yet (`said`: how many were), or undefined. */
export function heapWarning(reading: HeapReading, said: number): { line: string; said: number } | undefined {
  const crossed = HEAP_WARNINGS.filter((share) => reading.used >= share * reading.limit).length;
  if (crossed <= said) return undefined;
  const docs =
    reading.emulatorDocuments === undefined
      ? ""
      : ` (the OpenSearch API emulator keeps its ${reading.emulatorDocuments.toLocaleString("en")} documents in memory)`;
  const larger = Math.max(8192, Math.ceil((2 * reading.limit) / 2 ** 20 / 1024) * 1024);
  return {
    said: crossed,
    line: `memory: the stack uses ${gb(reading.used)} GB of its ${gb(reading.limit)} GB heap${docs}; at the limit the process ends, every part with it: for data this large use a real OpenSearch (OPENSEARCH_URL), or start with more heap (NODE_OPTIONS=--max-old-space-size=${larger} npm start)`,
  };
}

/**
 * Reads the heap after each full (mark-compact) collection and says each warning once (`say`); stop()
 * ends the watch.
 */
export function watchHeap(say: (line: string) => void, emulatorDocuments?: () => number): { stop(): void } {
  let said = 0;
  const observer = new PerformanceObserver((list) => {
    const major = list
      .getEntries()
      .some(
        (e) => (e as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR,
      );
    if (!major) return;
    const heap = getHeapStatistics();
    const docs = emulatorDocuments?.();
    const warning = heapWarning(
      {
        used: heap.used_heap_size,
        limit: heap.heap_size_limit,
        ...(docs !== undefined && { emulatorDocuments: docs }),
      },
      said,
    );
    if (!warning) return;
    said = warning.said;
    say(warning.line);
  });
  observer.observe({ entryTypes: ["gc"] });
  return { stop: () => observer.disconnect() };
}
