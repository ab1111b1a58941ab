/**
 * Kinesis for the local stack: `kinesalite` on loopback, its records kept on disk (LevelDB) when given a
 * folder, so a restart finds the stream where it was. The SDK client speaks HTTP/1.1 to it
 * (`NodeHttpHandler`): the Kinesis client defaults to HTTP/2, which kinesalite does not serve.
 */
import { chmodSync, mkdirSync } from "node:fs";
import type { Server } from "node:http";
import { createRequire } from "node:module";
import {
  CreateStreamCommand,
  DescribeStreamSummaryCommand,
  type KinesisClient,
  ResourceNotFoundException,
} from "@aws-sdk/client-kinesis";
import kinesalite from "kinesalite";
import type { RunningPart } from "./part";

export type RunningKinesis = RunningPart;

export async function startKinesalite(options: { path?: string } = {}): Promise<RunningKinesis> {
  // The records are rows: only their owner reads the folder, as the emulator's and the DLQ's files.
  if (options.path) {
    mkdirSync(options.path, { recursive: true, mode: 0o700 });
    chmodSync(options.path, 0o700);
    await assertFolderFree(options.path);
  }
  const server: Server = kinesalite({
    ...(options.path && { path: options.path }),
    createStreamMs: 0,
    deleteStreamMs: 0,
    updateStreamMs: 0,
    shardLimit: 50,
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("kinesalite did not bind a port");
  return {
    url: `http://127.0.0.1:${address.port}`,
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections?.();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}

type LevelDown = { open(done: (error?: Error) => void): void; close(done: (error?: Error) => void): void };

/**
 * kinesalite opens its LevelDB without waiting for it: a folder another process holds (LevelDB's LOCK: a
 * second stack of the same folder) failed later as an uncaught error, with the start hanging. Opened
 * here first (with kinesalite's own leveldown), such a folder fails the start with the reason.
 */
async function assertFolderFree(path: string): Promise<void> {
  const leveldown = createRequire(createRequire(import.meta.url).resolve("kinesalite"))("leveldown") as (
    location: string,
  ) => LevelDown;
  const db = leveldown(path);
  await new Promise<void>((resolve, reject) =>
    db.open((error) => {
      if (!error) return db.close(() => resolve());
      reject(
        new Error(
          `the stream's folder ${path} is in use by another process (a second npm start of this folder?): ${error.message}`,
          { cause: error },
        ),
      );
    }),
  );
}

/** Creates the stream unless it exists; returns its ARN. */
export async function ensureStream(
  client: KinesisClient,
  name: string,
  shards: number,
  onCreate?: () => void,
): Promise<string> {
  const describe = () => client.send(new DescribeStreamSummaryCommand({ StreamName: name }));
  try {
    return (await describe()).StreamDescriptionSummary?.StreamARN as string;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateStreamCommand({ StreamName: name, ShardCount: shards }));
  onCreate?.();
  for (;;) {
    const summary = (await describe()).StreamDescriptionSummary;
    if (summary?.StreamStatus === "ACTIVE") return summary.StreamARN as string;
    await new Promise((r) => setTimeout(r, 20));
  }
}
