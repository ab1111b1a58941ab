/**
 * Every command reads its arguments the same way (operator/lib/command-args.ts): an option it does not
 * know is refused with the usage and exit code 2, never ignored; `--help` prints the usage and exits 0.
 * Run as a person runs them, through npm.
 */
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const COMMANDS = [
  "start",
  "invoke",
  "verify",
  "reload",
  "redrive",
  "dms:settings",
  "demo",
  "db:migrate",
  "events",
  "opensearch:emulator",
];

/** The command's exit code and everything it printed. */
async function npmRun(...args: string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", ...args], { timeout: 60_000 });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: e.code ?? -1, output: (e.stdout ?? "") + (e.stderr ?? "") };
  }
}

describe("command arguments", () => {
  it.concurrent.each(COMMANDS)(
    "npm run %s refuses an unknown option with its usage (exit 2)",
    async (command) => {
      const { code, output } = await npmRun(command, "--", "--no-such-option");
      expect(code).toBe(2);
      expect(output).toContain("--no-such-option");
      expect(output).toContain(`usage: `);
    },
  );

  it("--help prints the usage and exits 0", async () => {
    const { code, output } = await npmRun("reload", "--", "--help");
    expect(code).toBe(0);
    expect(output).toMatch(/^usage: npm run reload/);
  });
});
