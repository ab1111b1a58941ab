/**
 * Every command reads its arguments the same way (operator/lib/command-args.ts): an option it does not
 * know is refused with the usage and exit code 2, never ignored; `--help` prints the usage and exits 0.
 * Run as a person runs them, through npm.
 */
import { describe, expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";

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

describe("command arguments", () => {
  it.concurrent.each(COMMANDS)(
    "npm run %s refuses an unknown option with its usage (exit 2)",
    async (command) => {
      const { code, stderr } = await npmRun(command, ["--no-such-option"]);
      expect(code).toBe(2);
      expect(stderr).toContain("--no-such-option");
      expect(stderr).toContain("usage: ");
    },
  );

  it("--help prints the usage and exits 0", async () => {
    const { code, stdout } = await npmRun("reload", ["--help"]);
    expect(code).toBe(0);
    expect(stdout).toMatch(/^usage: npm run reload/);
  });
});
