/** A project command run as a person runs it (`npm run -s <script> -- ...`): exit code and output, pass or fail. */
import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

export type CommandResult = { code: number; stdout: string; stderr: string };

export async function npmRun(
  script: string,
  args: string[] = [],
  env: Record<string, string | undefined> = {},
  timeoutMs = 60_000,
  /** The project folder to run it in (npm's own folder, this project's root, by default). */
  cwd?: string,
): Promise<CommandResult> {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", script, "--", ...args], {
      env: { ...process.env, ...env },
      timeout: timeoutMs,
      ...(cwd && { cwd }),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === "number" ? e.code : -1, stdout: e.stdout ?? "", stderr: e.stderr ?? "" };
  }
}
