/**
 * A disk that fills up under the local stack's journaled parts: the emulator's data folder and the DLQ's
 * journal. A write the disk refuses is answered as failed; every write answered as done, before it and
 * after space returns, is there after a kill -9 and a restart; and a clean stop that cannot write its
 * snapshot fails the stop, not the process, with the journal kept.
 *
 * The parts run in a child process under `ulimit -f` (a file-size limit): a write past it is cut short
 * and fails (EFBIG), as a full disk cuts it short with ENOSPC, and a smaller write fits again once the
 * cut-short line is gone, as one does once space is freed.
 */
import { type ChildProcessWithoutNullStreams, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterEach, describe, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { startLocalSqs } from "../../tools/local-stack/sqs";
import { startEmulator } from "../../tools/opensearch-emulator/server";

const dirs: string[] = [];
const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
const freshDir = () => {
  const dir = mkdtempSync(join(tmpdir(), "cdc-full-disk-"));
  dirs.push(dir);
  return dir;
};

/**
 * A module run in a child whose files may not grow past `kb` KB; resolves with the first line it prints
 * (the part's URLs) and the child. SIGTERM makes it print one more line: how its stop went.
 */
async function limitedChild(
  kb: number,
  source: string,
): Promise<{ line: string; child: ChildProcessWithoutNullStreams }> {
  const node = [process.execPath, "--import", "tsx", "--input-type=module", "-e", source];
  const child = spawn("bash", ["-c", 'ulimit -f "$1"; shift; exec "$@"', "bash", String(kb), ...node], {
    stdio: ["pipe", "pipe", "pipe"],
  });
  children.push(child);
  let errors = "";
  child.stderr.on("data", (c: Buffer) => {
    errors += c.toString();
  });
  const line = await new Promise<string>((resolve, reject) => {
    child.stdout.once("data", (c: Buffer) => resolve(c.toString().trim()));
    child.once("exit", () => reject(new Error(`the part did not start:\n${errors}`)));
  });
  return { line, child };
}

const killed = (child: ChildProcessWithoutNullStreams) =>
  new Promise<void>((done) => {
    child.once("exit", () => done());
    child.kill("SIGKILL");
  });

describe("the OpenSearch emulator's data folder on a full disk", () => {
  const emulatorChild = (dir: string, kb: number) =>
    limitedChild(
      kb,
      `import { startEmulator } from "./tools/opensearch-emulator/server.ts";
       const running = await startEmulator({ dataDir: ${JSON.stringify(dir)} });
       console.log(running.url);
       process.on("SIGTERM", () => running.stop().then(
         () => { console.log("stopped"); process.exit(0); },
         (e) => { console.log("stop failed: " + e.message); process.exit(1); }));`,
    );
  const indexDoc = async (url: string, id: string, padding: number) => {
    const body = `${JSON.stringify({ index: { _index: "orders", _id: id } })}\n${JSON.stringify({ note: "x".repeat(padding) })}\n`;
    const reply = await fetch(`${url}/_bulk`, {
      method: "POST",
      body,
      headers: { "content-type": "application/x-ndjson" },
    });
    await reply.text();
    return reply.status;
  };

  it("answers a write the disk refuses as failed, and keeps every acknowledged write, also those after it", async () => {
    const dir = freshDir();
    const { line: url, child } = await emulatorChild(dir, 24);
    const acknowledged: string[] = [];
    let refused: string | undefined;
    for (let i = 0; i < 20 && !refused; i++) {
      const status = await indexDoc(url, `doc-${i}`, 3000);
      if (status === 200) acknowledged.push(`doc-${i}`);
      else {
        expect(status).toBe(500);
        refused = `doc-${i}`;
      }
    }
    expect(refused).toBeDefined();
    expect(acknowledged.length).toBeGreaterThan(2);
    // Space back (the cut-short line is gone): a write that fits is acknowledged, then the process dies.
    expect(await indexDoc(url, "after", 10)).toBe(200);
    acknowledged.push("after");
    await killed(child);

    const restarted = await startEmulator({ dataDir: dir });
    try {
      const found = async (id: string) => (await fetch(`${restarted.url}/orders/_doc/${id}`)).status === 200;
      for (const id of acknowledged) expect(await found(id), id).toBe(true);
      expect(await found(refused as string)).toBe(false); // answered as failed: the indexer sends it again
    } finally {
      await restarted.stop();
    }
  });

  it("fails a stop whose snapshot the disk refuses, not the process; the journal keeps every write", async () => {
    const dir = freshDir();
    // A first run with room writes more than the second run's limit, and is killed before any snapshot.
    const roomy = await emulatorChild(dir, 4096);
    for (let i = 0; i < 10; i++) expect(await indexDoc(roomy.line, `doc-${i}`, 3000)).toBe(200);
    await killed(roomy.child);
    // The second run journals one small write, then stops: its snapshot (the whole state) does not fit.
    const tight = await emulatorChild(dir, 16);
    expect(await indexDoc(tight.line, "small", 10)).toBe(200);
    const said = new Promise<string>((resolve) => {
      tight.child.stdout.once("data", (c: Buffer) => resolve(c.toString()));
      tight.child.once("exit", () => resolve("(exited without a word)"));
    });
    tight.child.kill("SIGTERM");
    expect(await said).toMatch(
      /^stop failed: could not write the snapshot \(the journal keeps every write\): EFBIG/,
    );
    expect(readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]); // no half snapshot taking the space

    const restarted = await startEmulator({ dataDir: dir });
    try {
      const { count } = (await (
        await fetch(`${restarted.url}/orders/_count`, {
          method: "POST",
          body: "{}",
          headers: { "content-type": "application/json" },
        })
      ).json()) as { count: number };
      expect(count).toBe(11);
    } finally {
      await restarted.stop();
    }
  });
});

describe("the local DLQ's journal on a full disk", () => {
  it("answers a message the disk refuses as failed, and puts back every acknowledged one after a kill -9", async () => {
    const journal = join(freshDir(), "dlq-journal.ndjson");
    const { line, child } = await limitedChild(
      16,
      `import { startLocalSqs } from "./tools/local-stack/sqs.ts";
       const sqs = await startLocalSqs("us-east-1", { journal: ${JSON.stringify(journal)} });
       console.log(JSON.stringify({ url: sqs.url, queueUrl: sqs.createQueue("dlq") }));`,
    );
    const { url, queueUrl } = JSON.parse(line) as { url: string; queueUrl: string };
    const client = new SQSClient({
      region: "us-east-1",
      endpoint: url,
      credentials: LOCAL_CREDENTIALS,
      maxAttempts: 1,
    });
    const acknowledged: string[] = [];
    let refused = false;
    try {
      for (let i = 0; i < 20 && !refused; i++) {
        const body = `dead letter ${i} ${"x".repeat(3000)}`;
        try {
          await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body }));
          acknowledged.push(body);
        } catch {
          refused = true;
        }
      }
      expect(refused).toBe(true);
      await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: "after" }));
      acknowledged.push("after");
    } finally {
      client.destroy();
    }
    await killed(child);

    expect(existsSync(journal)).toBe(true);
    const restarted = await startLocalSqs("us-east-1", { journal });
    try {
      const queue = restarted.createQueue("dlq");
      expect(await restarted.restore("dlq", queue)).toBe(acknowledged.length);
      expect((await restarted.drain(queue)).sort()).toEqual([...acknowledged].sort());
    } finally {
      await restarted.stop();
    }
  });

  it("keeps every message of a journal written after a restore a kill interrupted, whose earlier journal ends torn", async () => {
    const journal = join(freshDir(), "dlq-journal.ndjson");
    const line = (messageId: string, body: string) =>
      `${JSON.stringify({ status: "published", queueName: "dlq", messageId, body })}\n`;
    // The earlier journal, kept beside while its messages were put back, ends in a line a kill tore; the
    // journal of the run killed during that restore follows it at the next start.
    writeFileSync(`${journal}.previous`, `${line("m1", "one")}{"status":"publ`);
    writeFileSync(journal, line("m2", "two"));
    const restarted = await startLocalSqs("us-east-1", { journal });
    try {
      const queue = restarted.createQueue("dlq");
      expect(await restarted.restore("dlq", queue)).toBe(2);
      expect((await restarted.drain(queue)).sort()).toEqual(["one", "two"]);
    } finally {
      await restarted.stop();
    }
  });
});
