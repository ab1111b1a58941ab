/** A local stack for end-to-end tests: ephemeral state, a short batching window, unique index prefix. */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll } from "vitest";
import { createKinesisClient } from "../../operator/lib/kinesis-client";
import { writeStackFile } from "../../operator/lib/local-stack-file";
import { localSearchClient } from "../../operator/lib/search-client";
import { parseStreamArn } from "../../operator/redrive/messages";
import { reloadLocally } from "../../operator/reload/reload";
import { verify } from "../../operator/verify/verify";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { indicesOf } from "../../shared/pipeline-config";
import { stopOnInterrupt } from "../../tools/lib/abandoned-postgres";
import { LocalStack, type StackOptions } from "../../tools/local-stack/stack";
import { uniquePrefix } from "./search";

export async function startTestStack(options: StackOptions = {}) {
  // Its PostgreSQL's data (40-90 MB), removed again by stopTestStack unless the caller named the folder.
  const dir = options.dir ?? join(tmpdir(), `cdc-test-${process.pid}-${Date.now()}`);
  const forget = stopOnInterrupt(join(dir, "postgres"));
  const stack = await new LocalStack({
    ephemeral: true,
    dir,
    fresh: true,
    indexPrefix: uniquePrefix(),
    ...(process.env.OPENSEARCH_URL && { opensearchUrl: process.env.OPENSEARCH_URL }),
    esm: { batchingWindowMs: 50 },
    producerApiPort: 0,
    ...options,
  }).start();
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  return { stack, db, forget, ...(!options.dir && { ownDir: dir }) };
}

/** Closes the pool, removes only this test's indices (a shared real cluster stays intact), stops the stack and removes its folder. */
export async function stopTestStack(
  t: Awaited<ReturnType<typeof startTestStack>> | undefined,
): Promise<void> {
  if (!t) return;
  await t.db.end();
  for (const routing of t.stack.pipeline.tables())
    for (const index of indicesOf(routing))
      await t.stack.search.indices.delete({ index }).catch(() => undefined);
  await t.stack.stop();
  t.forget();
  if (t.ownDir) rmSync(t.ownDir, { recursive: true, force: true });
}

export type TestStack = Awaited<ReturnType<typeof startTestStack>>;

/**
 * A local stack started before this file's tests and stopped after them; call the result inside a test.
 * It has its `stack.json` in a directory of its own (`stackDir`), where the operator commands find it
 * through LOCAL_STACK_DIR, as they find `npm start`'s.
 */
export function useTestStack(options: StackOptions = {}): () => TestStack & { stackDir: string } {
  let t: TestStack | undefined;
  let file: ReturnType<typeof stackFileDir> | undefined;
  beforeAll(async () => {
    t = await startTestStack(options);
    file = stackFileDir(t.stack);
  });
  afterAll(async () => {
    await stopTestStack(t);
    file?.remove();
  });
  return () => {
    if (!t || !file) throw new Error("the test stack did not start");
    return { ...t, stackDir: file.dir };
  };
}

/** A `stack.json` for a stack in a new directory of its own. */
function stackFileDir(stack: LocalStack): { dir: string; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), "cdc-stack-file-"));
  writeStackFile(
    {
      pid: process.pid,
      databaseUrl: stack.databaseUrl,
      opensearchUrl: stack.opensearchUrl,
      indexPrefix: stack.indexPrefix,
      streamArn: stack.streamArn,
      dlqUrl: stack.dlqUrl,
      ...(stack.kinesisEndpoint && { kinesisEndpoint: stack.kinesisEndpoint }),
      ...(stack.sqsEndpoint && { sqsEndpoint: stack.sqsEndpoint }),
      pipelineConfig: stack.pipelineConfigPath,
    },
    dir,
  );
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** `npm run verify` on a stack: every configured table against its indices, read as the command reads them. */
export async function verifyStack(stack: LocalStack) {
  const search = localSearchClient(stack.opensearchUrl, { exactNumbers: true });
  try {
    return await verify({ database: stack.databaseUrl, search, pipeline: stack.pipeline });
  } finally {
    await search.close();
  }
}

/**
 * A table's index deleted and the table's rows put on the stream again as a full load (what
 * `npm run reload -- --rebuild` does), then indexed: documents as a full load writes them.
 */
export async function reloadIntoNewIndex(stack: LocalStack, table: string): Promise<void> {
  const [schema, name] = table.split(".") as [string, string];
  await stack.search.indices.delete({ index: stack.pipeline.routingFor(schema, name).index });
  const kinesis = createKinesisClient("us-east-1", stack.kinesisEndpoint);
  try {
    await reloadLocally({
      database: stack.databaseUrl,
      kinesis,
      streamName: parseStreamArn(stack.streamArn).name,
      tableMappings: dmsTableMappings(stack.pipeline),
      tables: [table],
    });
  } finally {
    kinesis.destroy();
  }
  if (!(await stack.settle(60_000))) throw new Error(`the reload of ${table} did not settle`);
}
