/** SQS on loopback from fauxqs, with a client pointed at it. */
import { ReceiveMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { startFauxqs } from "fauxqs";

export const LOCAL_CREDENTIALS = { accessKeyId: "local", secretAccessKey: "local" };

export async function localSqs(region = "us-east-1") {
  const server = await startFauxqs({ port: 0, logger: false });
  const client = new SQSClient({ region, endpoint: server.address, credentials: LOCAL_CREDENTIALS });
  return {
    endpoint: server.address,
    client,
    createQueue: (name: string) => server.createQueue(name).queueUrl,
    async drain(queueUrl: string): Promise<string[]> {
      const bodies: string[] = [];
      for (;;) {
        const r = await client.send(
          new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (!r.Messages?.length) return bodies;
        bodies.push(...r.Messages.map((m) => m.Body ?? ""));
      }
    },
    stop: () => server.stop(),
  };
}
