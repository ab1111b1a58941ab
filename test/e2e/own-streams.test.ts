/**
 * The local stack with a Kinesis and an SQS of one's own (AWS_ENDPOINT_URL_KINESIS / _SQS), here moto's
 * AWS APIs (`moto_server`): the stack makes the stream there and says it stays (it costs per
 * shard-hour on AWS), does not make the DLQ but names the one it needs, and the pipeline runs through
 * them: a row indexed through moto's stream, the status line reading the queue's depth (it showed -1).
 */
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { CreateQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { LOCAL_CREDENTIALS } from "../../operator/lib/local-credentials";
import { LocalStack } from "../../tools/local-stack/stack";
import { startMoto } from "../helpers/moto";
import { startTestStack, stopTestStack, type TestStack } from "../helpers/stack";

let moto: Awaited<ReturnType<typeof startMoto>>;
let t: TestStack | undefined;
const scratch = mkdtempSync(join(tmpdir(), "cdc-own-streams-"));
chmodSync(scratch, 0o711); // as root, PostgreSQL runs as the postgres user: its data stays in this folder

beforeAll(async () => {
  moto = await startMoto();
}, 60_000);
afterAll(async () => {
  await stopTestStack(t);
  await moto?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

it("runs through a Kinesis and an SQS of one's own: the stream made and said, the DLQ named until it exists", {
  timeout: 180_000,
}, async () => {
  const own = { kinesisEndpoint: moto.endpoint, sqsEndpoint: moto.endpoint };
  const said: string[] = [];
  const first = new LocalStack({
    ephemeral: true,
    dir: join(scratch, "first"),
    fresh: true,
    esm: { batchingWindowMs: 50 },
    producerApiPort: 0,
    log: (line) => said.push(line),
    ...own,
  });
  try {
    await expect(first.start()).rejects.toThrow(
      `SQS (AWS_ENDPOINT_URL_SQS=${moto.endpoint}): no queue cdc-indexer-dlq-local there: create it (aws sqs create-queue --queue-name cdc-indexer-dlq-local), or name an existing one with DLQ_NAME`,
    );
  } finally {
    await first.stop(0); // what it started, PostgreSQL included, even when the start did not fail as expected
  }
  expect(said).toContain(
    `Kinesis: created the stream cdc-stream-local (2 shards) at AWS_ENDPOINT_URL_KINESIS=${moto.endpoint}; it stays after the stack stops: aws kinesis delete-stream --stream-name cdc-stream-local when done`,
  );

  const sqs = new SQSClient({ region: "us-east-1", endpoint: moto.endpoint, credentials: LOCAL_CREDENTIALS });
  await sqs.send(new CreateQueueCommand({ QueueName: "cdc-indexer-dlq-local" }));
  sqs.destroy();
  const again: string[] = [];
  t = await startTestStack({ ...own, dir: join(scratch, "second"), log: (line) => again.push(line) });
  expect(again.filter((l) => l.startsWith("Kinesis: created"))).toEqual([]); // there already
  const { stack, db } = t;
  await db.query("INSERT INTO orders (id, status, amount) VALUES (7, 'through moto', 1)");
  expect(await stack.settle(60_000)).toBe(true);
  const index = stack.pipeline.routingFor("public", "orders").index;
  const doc = await stack.search.get({ index, id: "7" });
  expect(doc.body._source).toMatchObject({ id: 7, status: "through moto" });
  expect((await stack.status()).dlqDepth).toBe(0);
});
