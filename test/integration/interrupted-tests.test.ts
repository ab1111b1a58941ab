/**
 * A test process interrupted (a terminal's Ctrl-C) or killed leaves no PostgreSQL running: an interrupted
 * one shuts its servers down itself, and the servers and folders of one that was killed are stopped and
 * removed by the next run (tools/lib/abandoned-postgres.ts, test/global-setup.ts). Real embedded PostgreSQL
 * servers, started by a child process as the test helpers do.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { processAlive } from "../../operator/lib/process-alive";
import { sweepAbandonedFolders } from "../../tools/lib/abandoned-postgres";
import { TEST_FOLDER } from "../global-setup";

/** A child that starts a server as startDatabase does, says its folder, and waits. */
function testProcessWithServer(): { child: ChildProcess; dir: Promise<string> } {
  const script = `
    import { startEmbeddedPostgres } from "./tools/local-stack/postgres.ts";
    import { stopOnInterrupt } from "./tools/lib/abandoned-postgres.ts";
    import { tmpdir } from "node:os";
    const dir = tmpdir() + "/cdc-producer-test-" + process.pid + "-interrupted";
    stopOnInterrupt(dir);
    await startEmbeddedPostgres({ dir, fresh: true, fast: true });
    console.log(dir);
    setInterval(() => {}, 1000);`;
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const dir = new Promise<string>((done, fail) => {
    child.stdout?.on("data", (chunk: Buffer) => done(chunk.toString("utf8").trim()));
    child.once("exit", (code) => fail(new Error(`the test process exited (${code}) before its server ran`)));
  });
  return { child, dir };
}

const serverPid = (dir: string) =>
  Number(readFileSync(join(dir, "data", "postmaster.pid"), "utf8").split("\n")[0]);

async function until(condition: () => boolean, ms = 20_000): Promise<boolean> {
  for (const deadline = Date.now() + ms; Date.now() < deadline; await sleep(50)) if (condition()) return true;
  return condition();
}

describe("a test process that ends early", () => {
  it("stops its PostgreSQL when interrupted (SIGINT, as a terminal's Ctrl-C)", async () => {
    const { child, dir } = testProcessWithServer();
    const folder = await dir;
    const pid = serverPid(folder);
    expect(processAlive(pid)).toBe(true);
    child.kill("SIGINT");
    expect(await until(() => !processAlive(pid))).toBe(true);
    rmSync(folder, { recursive: true, force: true });
  });

  it("killed (kill -9): the next run stops its PostgreSQL and removes its folder; a running test's folder stays", async () => {
    const { child, dir } = testProcessWithServer();
    const folder = await dir;
    const pid = serverPid(folder);
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGKILL");
    await exited;
    expect(processAlive(pid)).toBe(true); // left running, in its own process group
    const running = join(tmpdir(), `cdc-test-${process.pid}-running`); // this test process's, alive
    mkdirSync(running, { recursive: true });
    try {
      const swept = await sweepAbandonedFolders(TEST_FOLDER);
      expect(swept).toContain(basename(folder));
      expect(swept).not.toContain(basename(running));
      expect(existsSync(folder)).toBe(false);
      // Stopped before its folder went (not left to fail on files removed under it).
      expect(processAlive(pid)).toBe(false);
      expect(existsSync(running)).toBe(true);
    } finally {
      rmSync(running, { recursive: true, force: true });
    }
  });
});
