/** Progress lines: rewritten in place on a terminal; in a log, each item's last state once. */
import { describe, expect, it } from "vitest";
import { ProgressLine } from "../../operator/lib/progress-line";
import { rewritesLines } from "../../operator/lib/rewritten-lines";

function stream(isTTY: boolean) {
  const written: string[] = [];
  return { written, out: { isTTY, write: (chunk: string) => written.push(chunk) > 0 } as never };
}

/** A terminal's environment, whatever the one running the tests (a CI's TERM may be dumb). */
const TERMINAL = { TERM: "xterm-256color" };

describe("ProgressLine", () => {
  it("in a log, writes each item's last state once, and in between at most every few seconds", () => {
    const { written, out } = stream(false);
    let now = 0;
    const line = new ProgressLine(out, 5_000, () => now);
    for (let rows = 1_000; rows <= 100_000; rows += 1_000) {
      now += 100;
      line.update("orders", `orders: ${rows}`);
    }
    line.update("items", "items: 5");
    line.done();
    expect(written).toEqual(["orders: 1000\n", "orders: 51000\n", "orders: 100000\n", "items: 5\n"]);
  });

  it("on a terminal, rewrites one line per item and ends the last one", () => {
    const { written, out } = stream(true);
    const line = new ProgressLine(out, 5_000, Date.now, TERMINAL);
    line.update("orders", "orders: 1");
    line.update("orders", "orders: 2");
    line.update("items", "items: 1");
    line.done();
    expect(written.join("")).toBe("\r\x1b[2Korders: 1\r\x1b[2Korders: 2\n\r\x1b[2Kitems: 1\n");
  });

  it("on a terminal, cuts a line to its width (a wrapped line would leave a copy behind at each rewrite)", () => {
    const written: string[] = [];
    const out = { isTTY: true, columns: 20, write: (chunk: string) => written.push(chunk) > 0 } as never;
    const line = new ProgressLine(out, 5_000, Date.now, TERMINAL);
    line.update("orders", "analytics.customer_lifetime_value: 1,000 rows sent");
    expect(written).toEqual(["\r\x1b[2Kanalytics.customer…"]);
  });

  it("on a terminal that shows controls as text (TERM=dumb: Emacs' shell), writes plain lines as in a log", () => {
    const { written, out } = stream(true);
    let now = 0;
    const line = new ProgressLine(out, 5_000, () => now, { TERM: "dumb" });
    line.update("orders", "orders: 1");
    now += 100;
    line.update("orders", "orders: 2");
    line.done();
    expect(written).toEqual(["orders: 1\n", "orders: 2\n"]);
    expect(rewritesLines({ isTTY: true }, { TERM: "xterm-256color" })).toBe(true);
    expect(rewritesLines({ isTTY: true }, {})).toBe(true);
    expect(rewritesLines({ isTTY: false }, {})).toBe(false);
  });

  it("erases the last line when a final line will say it all", () => {
    const tty = stream(true);
    const onTerminal = new ProgressLine(tty.out, 5_000, Date.now, TERMINAL);
    onTerminal.update("orders", "orders: 1");
    onTerminal.erase();
    expect(tty.written.join("")).toBe("\r\x1b[2Korders: 1\r\x1b[2K");
    const log = stream(false);
    let now = 0;
    const inLog = new ProgressLine(log.out, 5_000, () => now);
    inLog.update("orders", "orders: 1");
    now += 100;
    inLog.update("orders", "orders: 2");
    inLog.erase();
    inLog.done();
    expect(log.written).toEqual(["orders: 1\n"]);
  });
});
