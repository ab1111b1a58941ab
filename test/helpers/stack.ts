/** A local stack for end-to-end tests: ephemeral state, a short batching window, unique index prefix. */
import pg from "pg";
import { LocalStack, type StackOptions } from "../../tools/local-stack/stack";
import { uniquePrefix } from "./search";

export async function startTestStack(options: StackOptions = {}) {
  const stack = await new LocalStack({
    ephemeral: true,
    dir: `/tmp/cdc-test-${process.pid}-${Date.now()}`,
    fresh: true,
    indexPrefix: uniquePrefix(),
    ...(process.env.OPENSEARCH_URL && { opensearchUrl: process.env.OPENSEARCH_URL }),
    esm: { batchingWindowMs: 50 },
    ...options,
  }).start();
  const db = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
  return { stack, db };
}
