/**
 * `npm start` used the way a person uses it in a terminal, with real processes: start --fresh, demo, verify,
 * Ctrl-C (SIGINT to the whole foreground process group), start again, verify, two demos at once, verify, a
 * dead letter, kill -9 of the whole tree while rows are being written, start again: the index equals
 * the tables (the last committed row included) and the dead letter is still there. Every part stops too
 * when the output goes away: a pipe's reader stopped by the same Ctrl-C, a terminal closed (a real pty).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { readStackFile, type StackEndpoints } from "../../operator/lib/local-stack-file";
import { npmRun } from "../helpers/npm-run";
import { processesNaming } from "../helpers/processes";

const dir = mkdtempSync(join(tmpdir(), "cdc-terminal-"));
chmodSync(dir, 0o711); // as root, PostgreSQL runs as the postgres user: its data stays in this folder
const env = { ...process.env, LOCAL_STACK_DIR: dir, CI: "true" };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
let current: ChildProcess | undefined;
let lastPid = 0;

afterAll(async () => {
  const kill = (pid: number, signal: NodeJS.Signals) => {
    try {
      process.kill(pid, signal);
    } catch {
      // already gone
    }
  };
  if (current?.pid && current.exitCode === null) {
    kill(-current.pid, "SIGINT");
    await exited(current, 15_000);
  }
  for (const pid of processesNaming(dir)) kill(pid, "SIGKILL");
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.starting`, { force: true });
  rmSync(`${dir}.tty`, { force: true });
});

const groupAlive = (pgid: number) => {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
};

function exited(child: ChildProcess, timeoutMs: number): Promise<boolean> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** `npm start` as a terminal's foreground job: a process group of its own. */
async function start(
  ...args: string[]
): Promise<{ child: ChildProcess; stack: StackEndpoints; output: string[] }> {
  const output: string[] = [];
  const argv = ["start", ...(args.length > 0 ? ["--", ...args] : [])];
  const child = spawn("npm", argv, { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
  child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
  current = child;
  for (const deadline = Date.now() + 120_000; Date.now() < deadline; await sleep(250)) {
    const stack = readStackFile(dir);
    if (stack && stack.pid !== lastPid) {
      lastPid = stack.pid;
      return { child, stack, output };
    }
    if (child.exitCode !== null) break;
  }
  throw new Error(`npm start did not come up:\n${output.join("")}`);
}

/** A command against this test's stack; on failure its stderr follows its stdout. */
async function npmRunHere(script: string, ...args: string[]): Promise<{ code: number; stdout: string }> {
  const { code, stdout, stderr } = await npmRun(script, args, env, 120_000);
  return { code, stdout: code === 0 ? stdout : `${stdout}${stderr}` };
}

/** verify until it passes (the pipeline catches up after a start), or its last answer. */
async function verifyEventually(...args: string[]): Promise<{ code: number; stdout: string }> {
  let last = await npmRunHere("verify", ...args);
  for (const deadline = Date.now() + 60_000; last.code !== 0 && Date.now() < deadline; await sleep(1_000))
    last = await npmRunHere("verify", ...args);
  return last;
}

async function dlqDepth(stack: StackEndpoints): Promise<number> {
  const sqs = new SQSClient({
    region: "us-east-1",
    endpoint: stack.sqsEndpoint,
    credentials: LOCAL_CREDENTIALS,
  });
  try {
    const r = await sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: stack.dlqUrl,
        AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
      }),
    );
    return (
      Number(r.Attributes?.ApproximateNumberOfMessages) +
      Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible)
    );
  } finally {
    sqs.destroy();
  }
}

describe("npm start in a terminal", () => {
  it("survives Ctrl-C, restarts, repeated demos and kill -9, and keeps the index and the DLQ", {
    timeout: 600_000,
  }, async () => {
    // Start (--fresh, as after a first try), demo, verify.
    let { child, stack } = await start("--fresh");
    expect(processesNaming(dir).length).toBeGreaterThan(0); // PostgreSQL on this folder: what the stop must end
    expect(existsSync(join(dir, "stack.log"))).toBe(true); // the banner invites a `tail -f` on it
    expect((await npmRunHere("demo")).code).toBe(0);
    const first = await verifyEventually();
    expect(first.stdout).not.toContain("DIFF");
    expect(first.code).toBe(0);

    // Ctrl-C: the terminal sends SIGINT to every process of the foreground group.
    const pgid = child.pid as number;
    const sent = Date.now();
    process.kill(-pgid, "SIGINT");
    expect(await exited(child, 10_000)).toBe(true);
    expect(Date.now() - sent).toBeLessThan(10_000);
    for (let i = 0; i < 20 && groupAlive(pgid); i++) await sleep(100);
    expect(groupAlive(pgid)).toBe(false);
    expect(processesNaming(dir)).toEqual([]);
    expect(existsSync(join(dir, "stack.json"))).toBe(false);

    // Start again: the index is still there; the demo runs again, twice at once (two terminals).
    ({ child, stack } = await start());
    expect((await verifyEventually()).code).toBe(0);
    const demos = await Promise.all([npmRunHere("demo"), npmRunHere("demo")]);
    expect(demos.map((d) => d.code)).toEqual([0, 0]);
    expect(demos.filter((d) => d.stdout.includes("another demo is writing; waiting")).length).toBe(1);
    expect((await verifyEventually()).code).toBe(0);

    // A dead letter: a value longer than the DMS LOB limit (the indexer refuses it as possibly cut).
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    await db.query("INSERT INTO orders (id, status, amount, attributes) VALUES (900001, 'big', 1, $1)", [
      JSON.stringify({ note: "x".repeat(600_000) }),
    ]);
    for (let i = 0; i < 60 && (await dlqDepth(stack)) < 1; i++) await sleep(500);
    const depthBefore = await dlqDepth(stack);
    expect(depthBefore).toBe(1);
    const logged = () => readFileSync(join(dir, "stack.log"), "utf8");
    for (let i = 0; i < 40 && !logged().includes("record dead-lettered"); i++) await sleep(250);
    expect(logged()).toContain('"message":"record dead-lettered"');

    // kill -9 of the whole tree while rows are being written.
    let lastCommitted = 0;
    let writing = true;
    const writer = (async () => {
      for (let id = 910_000; writing; id++) {
        await db.query("INSERT INTO orders (id, status, amount) VALUES ($1, 'loop', 1)", [id]);
        lastCommitted = id;
      }
    })();
    await sleep(2_000);
    process.kill(-(child.pid as number), "SIGKILL");
    writing = false;
    await writer.catch(() => undefined);
    await db.end();
    expect(await exited(child, 10_000)).toBe(true);
    for (let i = 0; i < 50 && groupAlive(child.pid as number); i++) await sleep(100);
    expect(lastCommitted).toBeGreaterThan(910_000);

    // Start again: a PostgreSQL left running by the killed run is dealt with, and nothing was lost.
    ({ child, stack } = await start());
    const refused = await npmRunHere("verify");
    expect(refused.stdout).toContain("refused: 1 row(s)");
    const after = await verifyEventually("--accept-refused");
    expect(after.stdout).not.toContain("DIFF");
    expect(after.code).toBe(0);
    const row = await fetch(`${stack.opensearchUrl}/${stack.indexPrefix}orders/_doc/${lastCommitted}`);
    expect(((await row.json()) as { found: boolean }).found).toBe(true);
    expect(await dlqDepth(stack)).toBe(depthBefore);

    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 10_000)).toBe(true);
  });

  it("stops every part on a Ctrl-C while it starts, and a start --fresh after a kill -9 stops the killed run's PostgreSQL", {
    timeout: 300_000,
  }, async () => {
    // kill -9 leaves PostgreSQL running (its own process group); --fresh must stop it before wiping its data.
    let { child } = await start();
    process.kill(-(child.pid as number), "SIGKILL");
    expect(await exited(child, 10_000)).toBe(true);
    for (let i = 0; i < 50 && groupAlive(child.pid as number); i++) await sleep(100);
    const orphans = processesNaming(dir);
    expect(orphans.length).toBeGreaterThan(0);
    ({ child } = await start("--fresh"));
    expect(orphans.filter((pid) => groupAlive(pid) || existsSync(`/proc/${pid}`))).toEqual([]);
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 10_000)).toBe(true);
    expect(processesNaming(dir)).toEqual([]);

    // Ctrl-C once PostgreSQL runs and before the rest is up.
    const output: string[] = [];
    child = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    current = child;
    child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
    const pidFile = join(dir, "postgres", "data", "postmaster.pid");
    for (const deadline = Date.now() + 60_000; !existsSync(pidFile); await sleep(10))
      if (Date.now() > deadline || child.exitCode !== null)
        throw new Error(`no PostgreSQL:\n${output.join("")}`);
    expect(readStackFile(dir)).toBeUndefined(); // still starting
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 20_000)).toBe(true);
    expect(processesNaming(dir)).toEqual([]);
    expect(output.join("")).toMatch(/SIGINT: stopping once the part starting now is up[\s\S]*\nstopped\n/);

    // And the next start works.
    ({ child } = await start());
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 10_000)).toBe(true);
  });

  it("stops every part when its output goes away: the pipe's reader stopped by the same Ctrl-C (npm start | tee), the terminal closed (SIGHUP, then EIO)", {
    timeout: 240_000,
  }, async () => {
    // `npm start | tee out.txt`, Ctrl-C: tee stops too, so every line the stop prints fails with EPIPE.
    const { child } = await start();
    child.stdout?.destroy();
    child.stderr?.destroy();
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 15_000)).toBe(true);
    for (let i = 0; i < 50 && processesNaming(dir).length > 0; i++) await sleep(100);
    expect(processesNaming(dir)).toEqual([]); // PostgreSQL stopped
    expect(existsSync(join(dir, "stack.json"))).toBe(false); // the stop finished

    // The terminal window closed (or the ssh session dropped): SIGHUP, and the terminal is gone.
    const transcript = `${dir}.tty`;
    const terminal = spawn("script", ["-qfc", "npm start", transcript], {
      env,
      detached: true,
      stdio: "ignore",
    });
    current = terminal;
    let pid = 0;
    for (const deadline = Date.now() + 120_000; pid === 0 || pid === lastPid; await sleep(250)) {
      if (Date.now() > deadline || terminal.exitCode !== null)
        throw new Error(
          `npm start did not come up:\n${existsSync(transcript) ? readFileSync(transcript, "utf8") : ""}`,
        );
      pid = readStackFile(dir)?.pid ?? 0;
    }
    lastPid = pid;
    terminal.kill("SIGKILL"); // the terminal's end of the pty closes: the kernel hangs up its session
    const alive = () => existsSync(`/proc/${pid}`);
    for (let i = 0; i < 150 && (alive() || processesNaming(dir).length > 0); i++) await sleep(100);
    expect(alive()).toBe(false);
    expect(processesNaming(dir)).toEqual([]);
    expect(existsSync(join(dir, "stack.json"))).toBe(false);
    rmSync(transcript, { force: true });
  });

  it("leaves a running stack's PostgreSQL alone when a second npm start finds its stack.json gone (deleted by hand)", {
    timeout: 120_000,
  }, async () => {
    const { child, stack } = await start();
    rmSync(join(dir, "stack.json"));
    const second = await npmRun("start", [], env, 60_000);
    expect(second.code).not.toBe(0);
    expect(`${second.stdout}${second.stderr}`).toMatch(
      new RegExp(`PostgreSQL \\(pid \\d+\\) of another running npm start \\(pid ${stack.pid}\\) holds`),
    );
    // Before, the second start stopped it as "left running by an earlier run that was killed".
    const db = new pg.Client({ connectionString: stack.databaseUrl });
    await db.connect();
    expect((await db.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
    await db.end();
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 15_000)).toBe(true);
    expect(processesNaming(dir)).toEqual([]);
  });

  it("stops quietly on a Ctrl-C while npm start -- --demo writes (the demo stops with the stack)", {
    timeout: 120_000,
  }, async () => {
    const output: string[] = [];
    const child = spawn("npm", ["start", "--", "--demo"], {
      env,
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    current = child;
    child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
    for (const deadline = Date.now() + 90_000; !output.join("").includes("demo: writing"); await sleep(50))
      if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no demo:\n${output.join("")}`);
    process.kill(-(child.pid as number), "SIGINT");
    expect(await exited(child, 20_000)).toBe(true);
    const said = output.join("");
    expect(said).toMatch(/\nstopped\n/);
    expect(said).not.toContain("unexpected error");
    expect(said).not.toContain("demo failed");
    expect(child.exitCode ?? child.signalCode).not.toBe(1);
    expect(processesNaming(dir)).toEqual([]);
  });

  it("stops every part, PostgreSQL included, when a defect throws an error nothing handles, and exits 1", {
    timeout: 120_000,
  }, async () => {
    // A fault put in from outside: a module loaded into npm start's own process rejects a promise nobody
    // awaits once the stack runs, as a defect in any part would (before, Node ended the process there,
    // PostgreSQL left running in its own process group).
    const injector = `${dir}.inject.mjs`;
    writeFileSync(
      injector,
      `import { existsSync } from "node:fs";
       if (/local-stack[\\/]cli\\.ts$/.test(process.argv[1] ?? "")) {
         const timer = setInterval(() => {
           if (!existsSync(${JSON.stringify(join(dir, "stack.json"))})) return;
           clearInterval(timer);
           Promise.reject(new Error("injected defect"));
         }, 100);
         timer.unref();
       }`,
    );
    const output: string[] = [];
    const child = spawn("npm", ["start"], {
      env: { ...env, NODE_OPTIONS: `--import ${pathToFileURL(injector).href}` },
      detached: true,
      stdio: ["ignore", "pipe", "pipe"],
    });
    current = child;
    child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
    child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
    const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
    rmSync(injector, { force: true });
    const said = output.join("");
    expect(said).toContain("unexpected error (a defect of the local stack");
    expect(said).toContain("injected defect");
    expect(said).toMatch(/\nstopped\n/);
    expect(code).toBe(1);
    expect(processesNaming(dir)).toEqual([]); // PostgreSQL stopped
    expect(existsSync(join(dir, "stack.json"))).toBe(false);
  });

  it("refuses a second npm start of the folder while the first is still starting (two terminals), --fresh too", {
    timeout: 120_000,
  }, async () => {
    // A start in another terminal holds the folder's lock (a live process's pid) and has no stack.json yet.
    const lock = `${dir}.starting`;
    const other = spawn("sleep", ["60"], { stdio: "ignore" });
    writeFileSync(lock, String(other.pid));
    writeFileSync(join(dir, "mine.txt"), "kept");
    try {
      const second = await npmRun("start", ["--fresh"], env, 30_000);
      expect(second.code).toBe(2);
      expect(second.stderr).toContain(
        `npm start of this folder is starting in another terminal (pid ${other.pid}); use that one`,
      );
      expect(readFileSync(join(dir, "mine.txt"), "utf8")).toBe("kept"); // not wiped
    } finally {
      other.kill("SIGKILL");
    }
    await exited(other, 5_000);
    // A lock whose start is gone (kill -9) is taken over; a start holds it from its first step until its
    // stack.json is written.
    const output: string[] = [];
    const first = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
    current = first;
    first.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
    first.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
    let heldByFirst = false;
    for (const deadline = Date.now() + 120_000; !readStackFile(dir); await sleep(10)) {
      if (Date.now() > deadline || first.exitCode !== null) throw new Error(`no start:\n${output.join("")}`);
      // Read at once (the start removes its lock as it finishes: an exists-then-read may find it gone).
      const holder = (() => {
        try {
          return readFileSync(lock, "utf8");
        } catch {
          return undefined;
        }
      })();
      if (holder !== undefined && holder !== String(other.pid)) heldByFirst = true;
    }
    expect(heldByFirst).toBe(true);
    expect(existsSync(lock)).toBe(false);
    process.kill(-(first.pid as number), "SIGINT");
    expect(await exited(first, 10_000)).toBe(true);
    expect(processesNaming(dir)).toEqual([]);
  });
});
