/**
 * SQS for the local stack: `fauxqs` on loopback. Its queue URLs name the host `sqs.<region>.localhost`,
 * which need not resolve: clients are given the endpoint explicitly and only use the URL as a name.
 */
import { GetQueueAttributesCommand, ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";
import { LOCAL_CREDENTIALS } from "./credentials";

export type RunningSqs = {
  endpoint: string;
  client: SQSClient;
  createQueue(name: string): string;
  /** Receives (and leaves in flight) every message currently visible. */
  drain(queueUrl: string): Promise<string[]>;
  depth(queueUrl: string): Promise<number>;
  stop(): Promise<void>;
};

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

export async function startLocalSqs(region = "us-east-1"): Promise<RunningSqs> {
  const server = await startFauxqs({ port: 0, logger: false });
  const client = new SQSClient({ region, endpoint: server.address, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint: server.address,
    client,
    createQueue: (name) => server.createQueue(name).queueUrl,
    drain: (queueUrl) => receiveAll(client, queueUrl),
    async depth(queueUrl) {
      const r = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: ["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
        }),
      );
      return (
        Number(r.Attributes?.ApproximateNumberOfMessages ?? 0) +
        Number(r.Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0)
      );
    },
    stop: async () => {
      client.destroy();
      await server.stop();
    },
  };
}
