/** npm start's terminal: log lines above the status line, never glued to it; EMF lines tallied, not shown. */
import { EventEmitter } from "node:events";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fitWidth } from "../../../operator/lib/rewritten-lines";
import { shortLogLine, Terminal } from "../../../tools/local-stack/terminal";

/** A folder for a log file, removed after the file's tests. */
const scratches: string[] = [];
function scratch(): string {
  const dir = mkdtempSync(join(tmpdir(), "terminal-"));
  scratches.push(dir);
  return dir;
}
afterAll(() => {
  for (const dir of scratches) rmSync(dir, { recursive: true, force: true });
});

function fakeStream() {
  const written: string[] = [];
  return {
    written,
    stream: { write: (chunk: string) => written.push(chunk) > 0 } as never as typeof process.stdout,
  };
}

describe("Terminal", () => {
  it("clears the status line before a log line and draws it again after", () => {
    const out = fakeStream();
    const err = fakeStream();
    const logFile = join(scratch(), "stack.log");
    const terminal = new Terminal({ tty: true, logFile, out: out.stream, err: err.stream });
    terminal.createLog();
    expect(readFileSync(logFile, "utf8")).toBe(""); // there for `tail -f` before the first line
    terminal.setStatus("captured 1");
    const log =
      '{"level":"WARN","message":"record dead-lettered","timestamp":"2026-12-01T10:00:01.000Z","service":"cdc-indexer","table":"public.orders"}';
    out.stream.write(`${log}\n`);
    terminal.close();
    const screen = out.written.join("");
    expect(screen).toBe(
      "captured 1\r\x1b[2K10:00:01 WARN record dead-lettered table=public.orders\ncaptured 1\r\x1b[2K",
    );
    expect(readFileSync(logFile, "utf8")).toBe(`${log}\n`);
  });

  it("says once that the log file refuses lines (a full disk), without failing the code that logged", () => {
    const out = fakeStream();
    // /dev/full refuses every write with ENOSPC.
    const terminal = new Terminal({
      tty: false,
      logFile: "/dev/full",
      out: out.stream,
      err: fakeStream().stream,
    });
    const log = (message: string) =>
      out.stream.write(`{"level":"WARN","message":"${message}","timestamp":"2026-12-01T10:00:01.000Z"}\n`);
    expect(() => {
      log("first");
      log("second");
    }).not.toThrow();
    terminal.close();
    expect(out.written.join("")).toBe(
      "log: cannot write /dev/full (ENOSPC: no space left on device, write); lines show here only\n10:00:01 WARN first\n10:00:01 WARN second\n",
    );
  });

  it("stops writing once its output fails (a closed terminal's EIO, a pipe's EPIPE) and keeps tallying", () => {
    const out = new EventEmitter() as EventEmitter & { write: (chunk: string) => boolean };
    const written: string[] = [];
    out.write = (chunk: string) => written.push(chunk) > 0;
    const err = fakeStream();
    const terminal = new Terminal({
      tty: true,
      logFile: join(scratch(), "stack.log"),
      out: out as never as typeof process.stdout,
      err: err.stream,
    });
    terminal.print("one");
    // A stream's write error arrives as an event: unhandled, it would end the process.
    expect(() => out.emit("error", Object.assign(new Error("write EIO"), { code: "EIO" }))).not.toThrow();
    terminal.print("two");
    terminal.setStatus("captured 1");
    out.write(`${JSON.stringify({ _aws: {}, DocumentsIndexed: 2 })}\n`);
    terminal.close();
    expect(written).toEqual(["one\n"]);
    expect(terminal.tally.applied).toBe(2);
  });

  it("keeps the status line narrower than the terminal, so a redraw never leaves a wrapped part behind", () => {
    const out = fakeStream();
    const stream = Object.assign(out.stream, { columns: 40 });
    const terminal = new Terminal({
      tty: true,
      logFile: join(scratch(), "stack.log"),
      out: stream,
      err: fakeStream().stream,
    });
    const status =
      "captured 754 · applied 609 · stale 0 · dead-lettered 0 · in flight 0 · DLQ 0 · freshness 1.02 s";
    terminal.setStatus(status);
    const drawn = out.written.filter((w) => w.startsWith("captured"));
    expect(drawn).toEqual(["captured 754 · applied 609 · stale 0 ·…"]);
    expect([...(drawn[0] as string)].length).toBe(39);
    stream.columns = 120; // the window widened
    terminal.print("a log line, as long as it is"); // log lines wrap as they like: they stay
    expect(out.written.at(-1)).toBe(status);
    expect(fitWidth("abc", 4)).toBe("abc");
    expect(fitWidth("abcd", 4)).toBe("ab…");
    expect(fitWidth("abcd", undefined)).toBe("abcd"); // not a terminal
  });

  it("tallies the indexer's EMF metrics and does not show them; keeps partial lines until complete", () => {
    const out = fakeStream();
    const terminal = new Terminal({
      tty: false,
      logFile: join(scratch(), "stack.log"),
      out: out.stream,
      err: fakeStream().stream,
    });
    const emf = JSON.stringify({
      _aws: {},
      DocumentsIndexed: 3,
      DocumentsDeleted: [1, 1],
      StaleSkipped: 2,
      RecordsDeadLettered: 1,
      RecordsSuperseded: 1,
    });
    out.stream.write(emf.slice(0, 10));
    out.stream.write(`${emf.slice(10)}\nplain line\n`);
    terminal.close();
    expect(terminal.tally).toEqual({ applied: 5, stale: 2, deadLettered: 1, superseded: 1, retried: 0 });
    expect(out.written.join("")).toBe("plain line\n");
  });

  it("writes a short form of a structured log line without the standard fields", () => {
    expect(
      shortLogLine({
        level: "ERROR",
        message: "x",
        timestamp: "2026-12-01T10:00:02Z",
        function_name: "f",
        error: { a: 1 },
      }),
    ).toBe('10:00:02 ERROR x error={"a":1}');
  });
});
