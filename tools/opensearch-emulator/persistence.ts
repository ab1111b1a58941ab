/**
 * The emulator's data on disk, so that a restart (clean, Ctrl-C or kill -9) finds every acknowledged
 * write: a journal of the requests that changed something, appended before the response is sent, and a
 * snapshot that compacts it. A request whose journal line was not complete when the process died was
 * never answered, so its client retries it: the torn last line is dropped on load.
 *
 * Files in the folder: `snapshot.ndjson` (state through journal generation N: a header line, then one line
 * per item; written to a temporary file and renamed) and `journal-<g>.ndjson` for g > N, replayed in order.
 */
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
} from "node:fs";
import { join } from "node:path";
import { StringDecoder } from "node:string_decoder";
import { appendLine } from "../lib/append-line";

/** One request that changed the emulator's state, as it is replayed. */
export type JournalEntry = { method: string; path: string; body: string };

/** The snapshot's lines (after its header) as they were written, and the journal entries after it. */
export type Loaded = { snapshot: Iterable<unknown> | undefined; entries: JournalEntry[] };

const JOURNAL = /^journal-(\d+)\.ndjson$/;
/** One JSON line per item (a document, an index's settings), after a header line with the generation. */
const SNAPSHOT = "snapshot.ndjson";
/** The whole state as one JSON text, as earlier versions wrote it: still read, replaced at the next compaction. */
const LEGACY_SNAPSHOT = "snapshot.json";
/** The journal is compacted into a snapshot once it is larger than this and than the last snapshot. */
const COMPACT_BYTES = 64 * 1024 * 1024;
/** Text written to the snapshot per write call. */
const WRITE_CHUNK = 1024 * 1024;

/** The lines of a text file, read a chunk at a time (no string of the whole file). */
function* readLines(file: string): Generator<string> {
  const fd = openSync(file, "r");
  try {
    const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
    const decoder = new StringDecoder("utf8");
    let rest = "";
    for (;;) {
      const read = readSync(fd, buffer, 0, buffer.length, null);
      if (read === 0) break;
      const lines = (rest + decoder.write(buffer.subarray(0, read))).split("\n");
      rest = lines.pop() ?? "";
      yield* lines;
    }
    rest += decoder.end();
    if (rest) yield rest;
  } finally {
    closeSync(fd);
  }
}

export class EmulatorStore {
  private generation = 0;
  private journalBytes = 0;
  private snapshotBytes = 0;
  /** The journal's size when a compaction last failed (a full disk). */
  private failedCompactionAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private journalFile(generation: number): string {
    return join(this.dir, `journal-${generation}.ndjson`);
  }

  /**
   * The last snapshot (its lines, read as they are consumed) and the journal entries after it; then
   * appends go to a new generation. A snapshot of an earlier version is one line: `{ state }`.
   */
  load(): Loaded {
    const snapshotFile = join(this.dir, SNAPSHOT);
    const legacyFile = join(this.dir, LEGACY_SNAPSHOT);
    let snapshot: Iterable<unknown> | undefined;
    let through = 0;
    if (existsSync(snapshotFile)) {
      const lines = readLines(snapshotFile);
      const header = lines.next();
      through = (JSON.parse(header.done ? "{}" : header.value) as { generation?: number }).generation ?? 0;
      snapshot = (function* () {
        for (const line of lines) if (line) yield JSON.parse(line);
      })();
      this.snapshotBytes = statSync(snapshotFile).size;
    } else if (existsSync(legacyFile)) {
      const saved = JSON.parse(readFileSync(legacyFile, "utf8")) as { generation: number; state: unknown };
      snapshot = [{ state: saved.state }];
      through = saved.generation;
      this.snapshotBytes = statSync(legacyFile).size;
    }
    const generations = readdirSync(this.dir)
      .map((f) => JOURNAL.exec(f)?.[1])
      .filter((g): g is string => g !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const entries: JournalEntry[] = [];
    for (const g of generations) {
      if (g <= through) {
        rmSync(this.journalFile(g), { force: true }); // already in the snapshot
        continue;
      }
      for (const line of readFileSync(this.journalFile(g), "utf8").split("\n")) {
        if (!line) continue;
        try {
          entries.push(JSON.parse(line) as JournalEntry);
        } catch {
          // The torn last line of a process killed mid-write: its request was never answered.
        }
      }
    }
    this.generation = Math.max(through, ...generations, 0) + 1;
    this.journalBytes = 0;
    return { snapshot, entries };
  }

  /**
   * Appends one change, whole or not at all (a full disk throws, and its request is answered as failed);
   * returns true when the journal has grown enough to compact.
   */
  append(entry: JournalEntry): boolean {
    const line = JSON.stringify(entry);
    appendLine(this.journalFile(this.generation), line);
    this.journalBytes += Buffer.byteLength(line) + 1;
    // Compacting costs the whole state: only once the journal outgrows the last snapshot is it worth it
    // (and, after a compaction failed, once it has grown as much again: a full disk is not tried per write).
    return (
      this.journalBytes > Math.max(COMPACT_BYTES, this.snapshotBytes, this.failedCompactionAt + COMPACT_BYTES)
    );
  }

  /**
   * Writes the whole state as the snapshot through the current generation, one line per item as
   * `lines` gives them, a chunk at a time (a state of a million documents is no one string: V8 caps a
   * string at 512 MB), then drops the journals.
   */
  compact(lines: Iterable<unknown>): void {
    try {
      this.writeSnapshot(lines);
    } catch (error) {
      // The journal still holds every write; the part-written snapshot would only take the disk's space.
      rmSync(join(this.dir, `${SNAPSHOT}.tmp`), { force: true });
      this.failedCompactionAt = this.journalBytes;
      throw new Error(
        `could not write the snapshot (the journal keeps every write): ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
  }

  private writeSnapshot(lines: Iterable<unknown>): void {
    const snapshotFile = join(this.dir, SNAPSHOT);
    const through = this.generation;
    const fd = openSync(`${snapshotFile}.tmp`, "w", 0o600);
    let bytes = 0;
    try {
      let chunk = `${JSON.stringify({ generation: through })}\n`;
      const flush = () => {
        const buffer = Buffer.from(chunk);
        for (let at = 0; at < buffer.length; ) at += writeSync(fd, buffer, at);
        bytes += buffer.length;
        chunk = "";
      };
      for (const line of lines) {
        chunk += `${JSON.stringify(line)}\n`;
        if (chunk.length >= WRITE_CHUNK) flush();
      }
      flush();
    } finally {
      closeSync(fd);
    }
    renameSync(`${snapshotFile}.tmp`, snapshotFile);
    rmSync(join(this.dir, LEGACY_SNAPSHOT), { force: true });
    this.snapshotBytes = bytes;
    this.generation = through + 1;
    this.journalBytes = 0;
    this.failedCompactionAt = Number.NEGATIVE_INFINITY;
    for (const f of readdirSync(this.dir)) {
      const g = JOURNAL.exec(f)?.[1];
      if (g !== undefined && Number(g) <= through) rmSync(join(this.dir, f), { force: true });
    }
  }

  /** Bytes on disk (for the status line and tests). */
  size(): number {
    return readdirSync(this.dir).reduce((n, f) => n + statSync(join(this.dir, f)).size, 0);
  }
}
