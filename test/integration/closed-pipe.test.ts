/**
 * A command whose reader goes away (`npm run verify | head`, a pager quit early) stops as a Unix command
 * does on SIGPIPE: quietly, status 141; before, Node's unhandled EPIPE error ended it with a stack trace.
 */
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CLOSED_PIPE_EXIT_CODE } from "../../operator/lib/closed-pipe";
import { projectFiles } from "../helpers/project-files";

describe("a command whose output's reader is gone", () => {
  it("stops quietly with status 141, as on SIGPIPE (a real pipe, closed before the command writes)", {
    timeout: 60_000,
  }, async () => {
    // dms:settings prints its JSON on stdout and needs no stack.
    const child = spawn("npm", ["run", "-s", "dms:settings"], { stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy(); // the reader is gone before the first write
    let stderr = "";
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const code = await new Promise<number | null>((resolve) => child.once("close", resolve));
    expect(stderr).not.toContain("EPIPE");
    expect(code).toBe(CLOSED_PIPE_EXIT_CODE);
  });

  it("is how every command but npm start ends then (npm start's terminal goes on stopping every part)", () => {
    const commands = projectFiles().filter((f) => /^(operator|tools)\/[^/]+\/cli\.ts$/.test(f));
    expect(commands.length).toBeGreaterThan(10);
    const without = commands.filter(
      (f) => f !== "tools/local-stack/cli.ts" && !/^exitOnClosedPipe\(\);$/m.test(readFileSync(f, "utf8")),
    );
    expect(without).toEqual([]);
  });
});
