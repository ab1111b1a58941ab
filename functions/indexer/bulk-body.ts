/**
 * NDJSON bodies for `_bulk`, built directly as text (versions are 64-bit and must not pass through a
 * JS number), split into requests by bytes and by action count.
 */
import type { Action } from "./plan";

export type BulkEntry<T> = { item: T; text: string };

export function actionLines(action: Action): string {
  const meta = `{"_index":${JSON.stringify(action.index)},"_id":${JSON.stringify(action.id)},"version":${action.version.toString()},"version_type":"external_gte"}`;
  if (action.op === "delete") return `{"delete":${meta}}\n`;
  return `{"index":${meta}}\n${JSON.stringify(action.doc ?? {})}\n`;
}

export function toEntries<T>(items: T[], actionOf: (item: T) => Action): BulkEntry<T>[] {
  return items.map((item) => ({ item, text: actionLines(actionOf(item)) }));
}

/** Greedy split: each request stays under maxBytes and maxActions; an entry larger than maxBytes goes alone. */
export function splitEntries<T>(
  entries: BulkEntry<T>[],
  maxBytes: number,
  maxActions: number,
): BulkEntry<T>[][] {
  // A UTF-16 code unit is at most 3 UTF-8 bytes: when three times the characters fit, every split by bytes
  // would keep everything together, and counting bytes (a pass over every text) can be skipped.
  let chars = 0;
  for (const entry of entries) chars += entry.text.length;
  const bytesOf =
    chars * 3 <= maxBytes
      ? (e: BulkEntry<T>) => e.text.length
      : (e: BulkEntry<T>) => Buffer.byteLength(e.text);
  const chunks: BulkEntry<T>[][] = [];
  let current: BulkEntry<T>[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = bytesOf(entry);
    if (current.length > 0 && (size + bytes > maxBytes || current.length >= maxActions)) {
      chunks.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += bytes;
  }
  if (current.length > 0) chunks.push(current);
  return chunks;
}

export const bodyOf = <T>(chunk: BulkEntry<T>[]): string => chunk.map((e) => e.text).join("");
