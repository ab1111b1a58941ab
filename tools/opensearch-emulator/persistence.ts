/**
 * The emulator's data on disk, so that a restart (clean, Ctrl-C or kill -9) finds every acknowledged
 * write: a journal of the requests that changed something, appended before the response is sent, and a
 * snapshot that compacts it. A request whose journal line was not complete when the process died was
 * never answered, so its client retries it: the torn last line is dropped on load.
 *
 * Files in the folder: `snapshot.json` (state through journal generation N, written to a temporary file
 * and renamed) and `journal-<g>.ndjson` for g > N, replayed in order.
 */
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";

/** One request that changed the emulator's state, as it is replayed. */
export type JournalEntry = { method: string; path: string; body: string };

export type Loaded<S> = { snapshot: S | undefined; entries: JournalEntry[] };

const JOURNAL = /^journal-(\d+)\.ndjson$/;
/** Past this size the journal is compacted into a snapshot. */
const COMPACT_BYTES = 64 * 1024 * 1024;

export class EmulatorStore<S> {
  private generation = 0;
  private journalBytes = 0;

  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private journalFile(generation: number): string {
    return join(this.dir, `journal-${generation}.ndjson`);
  }

  /** The last snapshot and the journal entries after it; then appends go to a new generation. */
  load(): Loaded<S> {
    const snapshotFile = join(this.dir, "snapshot.json");
    let snapshot: S | undefined;
    let through = 0;
    if (existsSync(snapshotFile)) {
      const saved = JSON.parse(readFileSync(snapshotFile, "utf8")) as { generation: number; state: S };
      snapshot = saved.state;
      through = saved.generation;
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

  /** Appends one change; returns true when the journal has grown enough to compact. */
  append(entry: JournalEntry): boolean {
    const line = `${JSON.stringify(entry)}\n`;
    appendFileSync(this.journalFile(this.generation), line, { mode: 0o600 });
    this.journalBytes += Buffer.byteLength(line);
    return this.journalBytes > COMPACT_BYTES;
  }

  /** Writes the whole state as the snapshot through the current generation, then drops the journals. */
  compact(state: S): void {
    const snapshotFile = join(this.dir, "snapshot.json");
    const through = this.generation;
    writeFileSync(`${snapshotFile}.tmp`, JSON.stringify({ generation: through, state }), { mode: 0o600 });
    renameSync(`${snapshotFile}.tmp`, snapshotFile);
    this.generation = through + 1;
    this.journalBytes = 0;
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
