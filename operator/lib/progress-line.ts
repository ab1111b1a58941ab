/**
 * Progress a person can follow: on a terminal one line per item, rewritten in place as it advances;
 * elsewhere (CI logs, a pipe) each item's last state once, and in between at most every few seconds.
 */
import type { Writable } from "node:stream";
import { fitWidth, rewritesLines } from "./rewritten-lines";

export class ProgressLine {
  private key: string | undefined;
  private pending: string | undefined;
  private writtenAt = Number.NEGATIVE_INFINITY;

  private readonly rewrite: boolean;

  constructor(
    private readonly out: Writable & { isTTY?: boolean; columns?: number } = process.stderr,
    private readonly everyMs = 5_000,
    private readonly now: () => number = Date.now,
    env: NodeJS.ProcessEnv = process.env,
  ) {
    this.rewrite = rewritesLines(out, env);
  }

  /** The state of item `key` (a table, an index), as one line. */
  update(key: string, line: string): void {
    if (this.rewrite) {
      if (this.key !== undefined && this.key !== key) this.out.write("\n");
      this.out.write(`\r\x1b[2K${fitWidth(line, this.out.columns)}`);
      this.key = key;
      return;
    }
    if (this.key !== key) this.flush();
    this.key = key;
    this.pending = line;
    if (this.now() - this.writtenAt >= this.everyMs) this.flush();
  }

  /** Ends the last item's line (call before printing anything else). */
  done(): void {
    if (this.rewrite) {
      if (this.key !== undefined) this.out.write("\n");
    } else this.flush();
    this.key = undefined;
  }

  /** Takes the last item's line away (a final line printed next says it all). */
  erase(): void {
    if (this.rewrite && this.key !== undefined) this.out.write("\r\x1b[2K");
    this.pending = undefined;
    this.key = undefined;
  }

  private flush(): void {
    if (this.pending === undefined) return;
    this.out.write(`${this.pending}\n`);
    this.pending = undefined;
    this.writtenAt = this.now();
  }
}
