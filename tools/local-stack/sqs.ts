/**
 * SQS for the local stack: `fauxqs` on loopback. Its queue URLs name the host `sqs.<region>.localhost`,
 * which need not resolve: clients are given the endpoint explicitly and only use the URL as a name.
 *
 * fauxqs keeps queues in memory. With a journal file, every message a queue accepts and every message
 * deleted is appended to it before fauxqs answers (through its message spy, which it calls while
 * handling the request), so a dead letter the indexer was told is accepted survives any stop, kill -9
 * included; `restore` puts the messages still alive back into their queue on the next start.
 */
import { appendFileSync, existsSync, readFileSync, renameSync, rmSync } from "node:fs";
import { ReceiveMessageCommand, SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { idleLimitedHandler } from "../../operator/lib/aws-http";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { queueDepth } from "../../operator/lib/queue-depth";
import { appendLine } from "../lib/append-line";
import type { RunningPart } from "./part";

type JournalLine = { status: string; queueName: string; messageId: string; body: string };

export type RunningSqs = RunningPart & {
  client: SQSClient;
  createQueue(name: string): string;
  /** Receives (and leaves in flight) every message currently visible. */
  drain(queueUrl: string): Promise<string[]>;
  depth(queueUrl: string): Promise<number>;
  /** Sends the messages a queue held when the last run stopped (journal) back into it; returns how many. */
  restore(queueName: string, queueUrl: string): Promise<number>;
  stop(): Promise<void>;
};

/** Bodies of the messages a journal says a queue still holds (published, not deleted), oldest first. */
function liveBodies(file: string, queueName: string): string[] {
  if (!existsSync(file)) return [];
  const live = new Map<string, string>();
  for (const line of readFileSync(file, "utf8").split("\n")) {
    let entry: JournalLine;
    try {
      entry = JSON.parse(line) as JournalLine;
    } catch {
      continue; // an empty or torn last line: its request was never answered
    }
    if (entry.queueName !== queueName) continue;
    if (entry.status === "published") live.set(entry.messageId, entry.body);
    else if (entry.status === "consumed") live.delete(entry.messageId);
  }
  return [...live.values()];
}

/** Receives (and leaves in flight) every message currently visible in a queue; returns the bodies. */
export async function receiveAll(client: SQSClient, queueUrl: string): Promise<string[]> {
  const bodies: string[] = [];
  for (;;) {
    const r = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
    );
    if (!r.Messages?.length) return bodies;
    bodies.push(...r.Messages.map((m) => m.Body ?? ""));
  }
}

export async function startLocalSqs(
  region = "us-east-1",
  options: { journal?: string } = {},
): Promise<RunningSqs> {
  const journal = options.journal;
  // A restore interrupted by a kill left the earlier journal beside the current one: read both.
  const previous = journal && `${journal}.previous`;
  if (journal && previous && existsSync(journal)) {
    // After a newline: the earlier journal may end in a torn line, which would swallow the first one here.
    if (existsSync(previous))
      appendFileSync(previous, Buffer.concat([Buffer.from("\n"), readFileSync(journal)]));
    else renameSync(journal, previous);
    rmSync(journal, { force: true });
  }
  const server = await startFauxqs({
    port: 0,
    logger: false,
    ...(journal && { messageSpies: { bufferSize: 1 } }),
  });
  if (journal) {
    const spy = server.spy as unknown as { addMessage(m: JournalLine & { service: string }): void };
    const record = spy.addMessage.bind(spy);
    spy.addMessage = (m) => {
      if (m.service === "sqs" && (m.status === "published" || m.status === "consumed")) {
        const line: JournalLine = {
          status: m.status,
          queueName: m.queueName,
          messageId: m.messageId,
          body: m.body,
        };
        appendLine(journal, JSON.stringify(line)); // a full disk fails the request, leaving no torn line
      }
      record(m);
    };
  }
  const client = new SQSClient({
    region,
    endpoint: server.address,
    credentials: LOCAL_CREDENTIALS,
    requestHandler: idleLimitedHandler(),
  });
  return {
    url: server.address,
    client,
    createQueue: (name) => server.createQueue(name).queueUrl,
    drain: (queueUrl) => receiveAll(client, queueUrl),
    depth: (queueUrl) => queueDepth(client, queueUrl),
    async restore(queueName, queueUrl) {
      if (!previous) return 0;
      const bodies = [...new Set(liveBodies(previous, queueName))];
      for (let i = 0; i < bodies.length; i += 10) {
        await client.send(
          new SendMessageBatchCommand({
            QueueUrl: queueUrl,
            Entries: bodies.slice(i, i + 10).map((body, j) => ({ Id: String(j), MessageBody: body })),
          }),
        );
      }
      rmSync(previous, { force: true });
      return bodies.length;
    },
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
