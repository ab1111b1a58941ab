/**
 * The local stack with an OpenSearch of one's own over TLS with a certificate of its own CA (as a local
 * docker OpenSearch's demo certificates are): here the emulator behind HTTPS. Before, the stack's own
 * client did not check the certificate at all (sending the URL's password to whoever answered) while
 * the indexer it runs did: the stack started, and every change stayed in flight without a word. Now the
 * start refuses the certificate and says how to trust its CA (NODE_EXTRA_CA_CERTS), and with it named
 * the pipeline indexes through that cluster, and the commands of another terminal trust it as the stack
 * does (stack.json).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import pg from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readStackFile } from "../../operator/lib/local-stack-file";
import { LocalStack } from "../../tools/local-stack/stack";
import { type RunningEmulator, startEmulator } from "../../tools/opensearch-emulator/server";
import { certificates } from "../helpers/certificates";
import { httpsFront } from "../helpers/https-front";
import { npmRun } from "../helpers/npm-run";

const scratch = mkdtempSync(join(tmpdir(), "cdc-own-tls-"));
chmodSync(scratch, 0o711); // as root, PostgreSQL runs as the postgres user: its data stays in this folder
let emulator: RunningEmulator;
let front: Awaited<ReturnType<typeof httpsFront>>;
let child: ChildProcess | undefined;
let url: string;

beforeAll(async () => {
  certificates(scratch, "localhost");
  emulator = await startEmulator();
  front = await httpsFront(emulator.url, scratch);
  url = `https://admin:Not-Sh0wn@localhost:${front.port}`;
}, 60_000);
afterAll(async () => {
  if (child?.pid && child.exitCode === null && child.signalCode === null) {
    process.kill(-child.pid, "SIGINT"); // a test that failed midway: its stack stops, PostgreSQL included
    await new Promise((resolve) => child?.once("exit", resolve));
  }
  await front?.close();
  await emulator?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it("refuses the certificate at start and says how to trust its CA; with it named, indexes through the cluster", {
  timeout: 240_000,
}, async () => {
  const refused = new LocalStack({
    ephemeral: true,
    dir: join(scratch, "refused"),
    fresh: true,
    opensearchUrl: url,
    producerApiPort: 0,
    log: () => {},
  });
  try {
    await expect(refused.start()).rejects.toThrow(
      `OpenSearch (OPENSEARCH_URL=https://admin:****@localhost:${front.port}): unable to verify the first certificate; its certificate is not signed by a CA this machine trusts: name the CA with NODE_EXTRA_CA_CERTS=<ca.pem>`,
    );
  } finally {
    await refused.stop(0); // what it started, PostgreSQL included
  }

  // As a person runs it: `NODE_EXTRA_CA_CERTS=ca.pem OPENSEARCH_URL=... npm start`, a row, verify.
  const dir = join(scratch, "trusted");
  const env = {
    ...process.env,
    LOCAL_STACK_DIR: dir,
    OPENSEARCH_URL: url,
    NODE_EXTRA_CA_CERTS: join(scratch, "ca.pem"),
    CI: "true",
  };
  const output: string[] = [];
  child = spawn("npm", ["start"], { env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  child.stdout?.on("data", (c: Buffer) => output.push(c.toString()));
  child.stderr?.on("data", (c: Buffer) => output.push(c.toString()));
  let stack = readStackFile(dir);
  for (const deadline = Date.now() + 120_000; !stack; await sleep(250), stack = readStackFile(dir))
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`no stack:\n${output.join("")}`);
  const db = new pg.Client({ connectionString: stack.databaseUrl });
  await db.connect();
  await db.query("INSERT INTO orders (id, customer_id, status, amount) VALUES (7, 1, 'paid', 12.5)");
  await db.end();
  // verify in a second terminal, where NODE_EXTRA_CA_CERTS is not set: it trusts the CA the stack does.
  const secondTerminal = { LOCAL_STACK_DIR: dir, OPENSEARCH_URL: undefined, NODE_EXTRA_CA_CERTS: undefined };
  let verified = await npmRun("verify", ["public.orders"], secondTerminal, 60_000);
  for (const deadline = Date.now() + 60_000; verified.code !== 0 && Date.now() < deadline; await sleep(1_000))
    verified = await npmRun("verify", ["public.orders"], secondTerminal, 60_000);
  expect(verified.stdout).toMatch(/ok +local-orders: 1 expected, .*0 differences/);
  expect(verified.code).toBe(0);
  const document = await fetch(`${emulator.url}/local-orders/_doc/7`);
  expect(((await document.json()) as { _source: unknown })._source).toMatchObject({ id: 7, status: "paid" });

  process.kill(-(child.pid as number), "SIGINT");
  await new Promise((resolve) => child?.once("exit", resolve));
  expect(output.join("")).not.toContain("Not-Sh0wn");
});
