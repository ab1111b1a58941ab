/** A project command run as a person runs it (`npm run -s <script> -- ...`): exit code and output, pass or fail. */
import { spawn } from "node:child_process";
import { descendants } from "./processes";

export type CommandResult = { code: number; stdout: string; stderr: string };

/**
 * Runs the command as a person does (in the test's process group: an interrupted test run's Ctrl-C
 * reaches it too). One that outlives `timeoutMs` is killed with everything below it (npm, tsx and the
 * command itself; killing npm alone left the command running, with whatever it had started), and
 * answers code -1.
 */
export async function npmRun(
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
  /** The project folder to run it in (npm's own folder, this project's root, by default). */
  cwd?: string,
): Promise<CommandResult> {
  const child = spawn("npm", ["run", "-s", script, "--", ...args], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
    ...(cwd && { cwd }),
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    for (const pid of [child.pid as number, ...descendants(child.pid as number)])
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // already gone
      }
  }, timeoutMs);
  const code = await new Promise<number | null>((resolve) => {
    child.once("error", () => resolve(null));
    child.once("close", (exitCode) => resolve(exitCode));
  });
  clearTimeout(timer);
  return { code: timedOut || code === null ? -1 : code, stdout, stderr };
}
