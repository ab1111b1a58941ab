/**
 * NDJSON bodies for `_bulk`, built directly as text (versions are 64-bit and must not pass through a
 * JS number) and encoded to UTF-8 once, into one buffer per batch: a request is then a view of it (or,
 * after a split or a retry, a copy of its entries), and splits count exact bytes.
 */
import type { Action } from "./plan";

export type BulkEntry<T> = { item: T; bytes: Buffer };

/** The action line (with its newline) and, for an index action, the document's JSON. */
function linesOf(action: Action): [head: string, source: string | undefined] {
  const meta = `{"_index":${JSON.stringify(action.index)},"_id":${JSON.stringify(action.id)},"version":${action.version.toString()},"version_type":"external_gte"}`;
  if (action.op === "delete") return [`{"delete":${meta}}\n`, undefined];
  return [`{"index":${meta}}\n`, JSON.stringify(action.doc ?? {})];
}

// A class, not an object literal: see BatchRecord in process-batch.ts.
class Entry<T> implements BulkEntry<T> {
  constructor(
    readonly item: T,
    readonly bytes: Buffer,
  ) {}
}

/**
 * Every item's lines, UTF-8 encoded one after the other into one buffer sized by characters (ASCII text
 * fills it exactly). An entry that might not fit is measured; one that does not starts a new buffer.
 * Each part is written as it is (no concatenated string to flatten first).
 */
export function toEntries<T>(items: T[], actionOf: (item: T) => Action): BulkEntry<T>[] {
  const lines = items.map((item) => linesOf(actionOf(item)));
  let chars = 0;
  for (const [head, source] of lines) chars += head.length + (source === undefined ? 0 : source.length + 1);
  let buffer = Buffer.allocUnsafe(chars);
  let at = 0;
  return items.map((item, i) => {
    const [head, source] = lines[i] as [string, string | undefined];
    const length = head.length + (source === undefined ? 0 : source.length + 1);
    // A UTF-16 code unit is at most 3 UTF-8 bytes: only an entry that might not fit is measured.
    if (buffer.length - at < length * 3) {
      const bytes = Buffer.byteLength(head) + (source === undefined ? 0 : Buffer.byteLength(source) + 1);
      if (buffer.length - at < bytes) {
        buffer = Buffer.allocUnsafe(Math.max(bytes, chars));
        at = 0;
      }
    }
    const start = at;
    at += buffer.write(head, at);
    if (source !== undefined) {
      at += buffer.write(source, at);
      buffer[at++] = 0x0a;
    }
    return new Entry(item, buffer.subarray(start, at));
  });
}

/** Greedy split: each request stays under maxBytes and maxActions; an entry larger than maxBytes goes alone. */
export function splitEntries<T>(
  entries: BulkEntry<T>[],
  maxBytes: number,
  maxActions: number,
): BulkEntry<T>[][] {
  const chunks: BulkEntry<T>[][] = [];
  let current: BulkEntry<T>[] = [];
  let size = 0;
  for (const entry of entries) {
    const bytes = entry.bytes.length;
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

/** A request's body: a view of the entries' buffer when they lie there in order, otherwise a copy. */
export function bodyOf<T>(chunk: BulkEntry<T>[]): Buffer {
  const first = chunk[0]?.bytes;
  if (!first) return Buffer.alloc(0);
  let end = first.byteOffset + first.length;
  for (let i = 1; i < chunk.length; i++) {
    const bytes = (chunk[i] as BulkEntry<T>).bytes;
    if (bytes.buffer !== first.buffer || bytes.byteOffset !== end)
      return Buffer.concat(chunk.map((e) => e.bytes));
    end += bytes.length;
  }
  return Buffer.from(first.buffer, first.byteOffset, end - first.byteOffset);
}
