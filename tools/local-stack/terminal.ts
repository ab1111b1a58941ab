/**
 * What `npm start` shows in a terminal: a status line kept at the bottom, and every log line above it on
 * a line of its own. The functions' structured (JSON) logs are written in full to a log file and shown
 * as one short readable line; their EMF metric lines (what CloudWatch would read) are not shown but
 * tallied, so the status line counts the indexer's outcomes with the same names operators watch.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import { fitWidth } from "../../operator/lib/rewritten-lines";

export type IndexerTally = {
  applied: number;
  stale: number;
  deadLettered: number;
  superseded: number;
  retried: number;
};

type Writable = {
  write: typeof process.stdout.write;
  /** A terminal's width, as a TTY stream has it (updated on resize). */
  columns?: number;
  on?: (event: "error", listener: (error: Error) => void) => unknown;
};

const METRICS: Record<keyof IndexerTally, string[]> = {
  applied: ["DocumentsIndexed", "DocumentsDeleted"],
  stale: ["StaleSkipped"],
  deadLettered: ["RecordsDeadLettered"],
  superseded: ["RecordsSuperseded"],
  retried: ["RecordsLeftForRetry"],
};

/** Fields every Powertools log line carries: left out of the short form. */
const STANDARD = new Set([
  "level",
  "message",
  "timestamp",
  "service",
  "cold_start",
  "function_arn",
  "function_memory_size",
  "function_name",
  "function_request_id",
  "sampling_rate",
  "xray_trace_id",
]);

const sum = (v: unknown): number =>
  Array.isArray(v) ? v.reduce((a: number, x) => a + sum(x), 0) : typeof v === "number" ? v : 0;

/** One readable line for a structured log line: `12:00:01 WARN record dead-lettered table=public.orders`. */
export function shortLogLine(json: Record<string, unknown>): string {
  const time = typeof json.timestamp === "string" ? json.timestamp.slice(11, 19) : "";
  const fields = Object.entries(json)
    .filter(([k]) => !STANDARD.has(k))
    .map(([k, v]) => `${k}=${typeof v === "object" ? JSON.stringify(v) : String(v)}`);
  return [time, String(json.level ?? "INFO"), String(json.message ?? ""), ...fields]
    .filter(Boolean)
    .join(" ");
}

export class Terminal {
  readonly tally: IndexerTally = { applied: 0, stale: 0, deadLettered: 0, superseded: 0, retried: 0 };
  private status = "";
  private shown = false;
  private partial = "";
  private readonly write: (text: string) => void;
  private readonly restore: (() => void)[] = [];
  /**
   * The terminal is gone: its window closed or the ssh session dropped (writes fail with EIO), or the
   * pipe it printed into lost its reader (EPIPE: the Ctrl-C that stopped `npm start | tee` stopped tee
   * too). Nothing is shown from then on, so the stop that follows the signal still stops every part:
   * an unhandled write error would end the process first, with PostgreSQL still running.
   */
  private gone = false;
  /** The log file refused the last line (said once until it takes lines again). */
  private logFailing = false;

  constructor(private readonly options: { tty: boolean; logFile: string; out?: Writable; err?: Writable }) {
    const out = options.out ?? process.stdout;
    const original = out.write.bind(out) as (text: string) => boolean;
    this.write = (text) => {
      if (!this.gone) original(text);
    };
    for (const stream of [out, options.err ?? process.stderr] as Writable[]) {
      stream.on?.("error", () => {
        this.gone = true;
      });
      const write = stream.write.bind(stream);
      stream.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
        this.take(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
        const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        done?.();
        return true;
      }) as typeof stream.write;
      this.restore.push(() => {
        stream.write = write;
      });
    }
  }

  /** A line for the person at the terminal, above the status line. */
  print(line: string): void {
    this.clear();
    this.write(`${line}\n`);
    this.draw();
  }

  /** Replaces the status line (a TTY redraws it in place; otherwise it is printed every few seconds). */
  setStatus(line: string): void {
    this.status = line;
    if (this.options.tty) {
      this.clear();
      this.draw();
    }
  }

  /** Stops intercepting output (the status line is cleared). */
  close(): void {
    this.clear();
    this.status = "";
    for (const r of this.restore) r();
  }

  private take(text: string): void {
    const lines = (this.partial + text).split("\n");
    this.partial = lines.pop() ?? "";
    for (const line of lines) this.line(line);
  }

  private line(line: string): void {
    if (line.startsWith("{")) {
      let json: Record<string, unknown> | undefined;
      try {
        json = JSON.parse(line) as Record<string, unknown>;
      } catch {
        json = undefined;
      }
      if (json && "_aws" in json) {
        for (const [key, names] of Object.entries(METRICS))
          for (const name of names) this.tally[key as keyof IndexerTally] += sum(json[name]);
        return;
      }
      if (json && "level" in json) {
        this.appendLog(line);
        this.print(shortLogLine(json));
        return;
      }
    }
    this.print(line);
  }

  /** Creates the log file if it is not there, so the `tail -f` the banner invites works before a first line. */
  createLog(): void {
    this.appendLog("");
  }

  /**
   * A log line that cannot be written (a full disk) is not an error of the code that logged it (the
   * indexer's logger, mid-batch): it is said once, here, and writing resumes when the file takes lines again.
   */
  private appendLog(line: string): void {
    try {
      mkdirSync(dirname(this.options.logFile), { recursive: true });
      appendFileSync(this.options.logFile, line && `${line}\n`, { mode: 0o600 });
      this.logFailing = false;
    } catch (error) {
      if (this.logFailing) return;
      this.logFailing = true;
      this.print(
        `log: cannot write ${this.options.logFile} (${(error as Error).message}); lines show here only`,
      );
    }
  }

  private clear(): void {
    if (this.options.tty && this.shown) this.write("\r\x1b[2K");
    this.shown = false;
  }

  private draw(): void {
    if (this.options.tty && this.status) {
      this.write(fitWidth(this.status, (this.options.out ?? process.stdout).columns));
      this.shown = true;
    }
  }
}
