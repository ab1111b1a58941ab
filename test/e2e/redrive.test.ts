/**
 * The operator's loop on the local stack: a row the index refuses lands in the DLQ; a replay before the
 * fix is reported as failing again; once the mapping is fixed, `npm run redrive` puts it back on the
 * stream and the indexer applies it; a dead letter nobody wants is discarded, with confirmation. A row
 * whose refused value is fixed in the database instead: its dead letter, replayed, settles as superseded.
 */
import { expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";
import { useTestStack } from "../helpers/stack";

const testStack = useTestStack();

/** The command as an operator runs it, against this test's stack. */
const redrive = (...args: string[]) => npmRun("redrive", args, { LOCAL_STACK_DIR: testStack().stackDir });

it("a refused row goes to the DLQ; a replay before the fix says it failed again; after the fix it is indexed; discard", async () => {
  const { db, stack } = testStack();
  const index = stack.pipeline.routingFor("public", "orders").index;
  await db.query(
    `INSERT INTO orders (id, status, amount, attributes) VALUES (1, 'first', 1, '{"priority": 1}')`,
  );
  expect(await stack.settle(30_000)).toBe(true);
  await db.query(
    `INSERT INTO orders (id, status, amount, attributes) VALUES (2, 'poison', 1, '{"priority": "urgent"}')`,
  );
  expect(await stack.settle(30_000)).toBe(true);
  expect((await stack.status()).dlqDepth).toBe(1);

  const dry = await redrive("--dry-run");
  expect(dry.stdout).toContain("1 message(s) examined; would replay 1 (1 record(s)); 0 kept");
  expect(dry.stdout).toContain("1 × indexer: mapper_parsing_exception");
  expect((await stack.status()).dlqDepth).toBe(1);

  // Replayed before the cause is fixed: the operator is told now, and the command fails.
  const early = await redrive("--wait", "10");
  expect(early.code).toBe(1);
  expect(early.stdout).toContain("replayed 1 (1 record(s)); 0 kept");
  expect(early.stdout).toContain("1 replayed record(s) failed again and are back in the queue");
  expect(early.stdout).toContain(
    "fix the cause or the rows (a replayed dead letter of a row changed since settles), then replay them again; those no longer wanted (rows deleted since: npm run verify shows them right): npm run redrive -- --discard --cause mapper_parsing_exception --dry-run",
  );
  expect((await stack.status()).dlqDepth).toBe(1);

  // The fix: attributes.priority becomes a keyword, which takes numbers and text alike.
  await stack.search.indices.delete({ index });
  await stack.search.indices.create({
    index,
    body: { mappings: { properties: { attributes: { properties: { priority: { type: "keyword" } } } } } },
  });
  const real = await redrive("--wait", "5");
  expect(real.code).toBe(0);
  expect(real.stdout).toContain("replayed 1 (1 record(s)); 0 kept");
  expect(real.stdout).toContain("no replayed record failed again within 5 s");
  expect(await stack.settle(30_000)).toBe(true);

  const doc = (await stack.search.get({ index, id: "2" }, { ignore: [404] })).body as {
    found: boolean;
    _source?: Record<string, unknown>;
  };
  expect(doc._source).toMatchObject({ id: 2, status: "poison", attributes: { priority: "urgent" } });
  expect((await stack.status()).dlqDepth).toBe(0);

  // A dead letter nobody wants any more: shown by a dry run, refused without confirmation, then discarded.
  await db.query(
    `INSERT INTO orders (id, status, amount, attributes) VALUES (3, 'x', 1, '{"priority": {"a": 1}}')`,
  );
  expect(await stack.settle(30_000)).toBe(true);
  expect((await stack.status()).dlqDepth).toBe(1);
  expect((await redrive("--discard", "--dry-run")).stdout).toContain("would discard 1");
  const unconfirmed = await redrive("--discard");
  expect(unconfirmed.code).toBe(1);
  expect((await stack.status()).dlqDepth).toBe(1);
  expect((await redrive("--discard", "--table", "public.customers", "--yes")).stdout).toContain(
    "1 left alone by the filter",
  );
  expect((await stack.status()).dlqDepth).toBe(1);
  const discarded = await redrive("--discard", "--table", "public.orders", "--yes");
  expect(discarded.stdout).toContain("discarded 1");
  expect((await stack.status()).dlqDepth).toBe(0);
});

it("a refused value fixed in the database since: its dead letter, replayed, settles and leaves the queue", async () => {
  const { db, stack } = testStack();
  const index = stack.pipeline.routingFor("public", "orders").index;
  // A json column holds an object in the index: a JSON string is refused (coercion_failed).
  await db.query(`INSERT INTO orders (id, status, amount, attributes) VALUES (10, 'new', 1, '"just text"')`);
  expect(await stack.settle(30_000)).toBe(true);
  expect((await stack.status()).dlqDepth).toBe(1);
  await db.query(`UPDATE orders SET attributes = '{"fixed": true}' WHERE id = 10`);
  expect(await stack.settle(30_000)).toBe(true);

  const replay = await redrive("--wait", "5");
  expect(replay.stdout).toContain("replayed 1 (1 record(s)); 0 kept");
  expect(replay.stdout).toContain("no replayed record failed again within 5 s");
  expect(replay.code).toBe(0);
  expect(await stack.settle(30_000)).toBe(true);
  expect((await stack.status()).dlqDepth).toBe(0);
  const doc = (await stack.search.get({ index, id: "10" })).body as { _source: Record<string, unknown> };
  expect(doc._source).toMatchObject({ id: 10, attributes: { fixed: true } });
});
