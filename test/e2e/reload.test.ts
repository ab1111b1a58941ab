/**
 * Repairing an index on the local stack as an operator does: the index is deleted (a mapping fix, a
 * rebuild), `npm run reload -- <table>` sends the table's rows again as full-load records, and verify
 * finds the index equal to the table again, secret columns still left out. Runs the real command.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";
import { useTestStack, verifyStack } from "../helpers/stack";

const testStack = useTestStack();

/** The command as an operator runs it, against the stack whose stack.json is in `dir`. */
const reload = async (dir: string, ...args: string[]) => {
  const { code, stdout, stderr } = await npmRun("reload", args, { LOCAL_STACK_DIR: dir });
  return { code, output: stdout + stderr };
};

it("a deleted index comes back whole from a reload of its table; verify finds no difference", async () => {
  const { db, stack } = testStack();
  const index = stack.pipeline.routingFor("public", "orders").index;
  await db.query(`INSERT INTO orders (id, status, amount, card_number) VALUES
    (1, 'new', 10.50, '4111111111111111'), (2, 'new', 20, NULL), (3, 'new', 30, NULL)`);
  await db.query("UPDATE orders SET status = 'paid' WHERE id = 2");
  expect(await stack.settle(30_000)).toBe(true);

  await stack.search.indices.delete({ index });
  // A change while the index is gone: indexed at its version; the reload's snapshot copy loses to it.
  await db.query("UPDATE orders SET status = 'shipped' WHERE id = 3");
  expect(await stack.settle(30_000)).toBe(true);
  const before = await verifyStack(stack);
  expect(before.indices.find((i) => i.index === index)?.differences).toBe(2);

  const reloaded = await reload(testStack().stackDir, "public.orders");
  expect(reloaded.output).toContain("sent public.orders: 3 rows");
  expect(reloaded.code).toBe(0);
  expect(await stack.settle(30_000)).toBe(true);

  const after = await verifyStack(stack);
  expect(after.indices.map((i) => [i.index, i.differences])).toEqual(after.indices.map((i) => [i.index, 0]));
  expect(after.indices.find((i) => i.index === index)?.actual).toBe(3);
  const one = (await stack.search.get({ index, id: "1" })).body._source as Record<string, unknown>;
  expect(one).toMatchObject({ id: 1, status: "new" });
  expect(one).not.toHaveProperty("card_number");
  expect((await stack.status()).dlqDepth).toBe(0);
});

it("documents a reload cannot repair (rows gone in a TRUNCATE) are repaired by --rebuild, as verify says", async () => {
  const { db, stack, stackDir } = testStack();
  const index = stack.pipeline.routingFor("public", "orders").index;
  // TRUNCATE is not replicated (as with DMS): the index keeps the old rows.
  await db.query("TRUNCATE orders CASCADE");
  await db.query("INSERT INTO orders (id, status, amount) VALUES (4, 'new', 40)");
  await db.query("UPDATE orders SET status = 'paid' WHERE id = 4");
  expect(await stack.settle(30_000)).toBe(true);
  const verify = await npmRun("verify", ["public.orders"], { LOCAL_STACK_DIR: stackDir });
  expect(verify.code).toBe(1);
  expect(verify.stdout).toContain(`DIFF ${index}: 1 expected, 4 found, 3 differences`);
  expect(verify.stdout).toContain("repair: npm run reload -- --rebuild public.orders");

  // A plain reload fills in what is missing and leaves what should not be there.
  expect((await reload(stackDir, "public.orders")).code).toBe(0);
  expect(await stack.settle(30_000)).toBe(true);
  expect((await verifyStack(stack)).indices.find((i) => i.index === index)?.differences).toBe(3);

  // A dead letter from before the rebuild: a value the indexer refuses, fixed in the row since.
  await db.query(
    `INSERT INTO orders (id, status, amount, attributes) VALUES (5, 'new', 50, '"not an object"')`,
  );
  expect(await stack.settle(30_000)).toBe(true);
  await db.query(`UPDATE orders SET attributes = '{"gift": true}' WHERE id = 5`);
  expect(await stack.settle(30_000)).toBe(true);
  expect((await stack.status()).dlqDepth).toBe(1);

  const rebuilt = await reload(stackDir, "--rebuild", "public.orders");
  expect(rebuilt.output).toContain(`deleted ${index}`);
  expect(rebuilt.output).toContain("sent public.orders: 2 rows");
  // Its dead letters from before are superseded: a replay would write older data over the loaded rows.
  expect(rebuilt.output).toContain("the DLQ holds 1 message(s)");
  expect(rebuilt.output).toContain(
    "do not replay them, discard them (npm run redrive -- --discard --table public.orders)",
  );
  expect(rebuilt.code).toBe(0);
  expect(await stack.settle(30_000)).toBe(true);
  const after = await verifyStack(stack);
  expect(after.indices.map((i) => [i.index, i.differences])).toEqual(after.indices.map((i) => [i.index, 0]));
  expect(after.indices.find((i) => i.index === index)?.actual).toBe(2);

  // With an empty DLQ there is nothing to discard, and the rebuild says so instead.
  const discarded = await npmRun("redrive", ["--discard", "--yes", "--table", "public.orders"], {
    LOCAL_STACK_DIR: stackDir,
  });
  expect(discarded.code).toBe(0);
  const again = await reload(stackDir, "--rebuild", "public.orders");
  expect(again.output).toContain("the DLQ is empty: no dead letters from before this rebuild to discard");
  expect(again.output).not.toContain("discard them");
  expect(again.code).toBe(0);
  expect(await stack.settle(30_000)).toBe(true);
  // The rebuilt index has the template's mappings (it was created by the first write after the delete).
  const mappings = (await stack.search.indices.getMapping({ index })).body as Record<
    string,
    { mappings: { properties: Record<string, unknown> } }
  >;
  expect(mappings[index]?.mappings.properties.amount).toMatchObject({ type: "scaled_float" });
});

it("names what it cannot reload, and needs a running stack", async () => {
  const unknown = await reload(testStack().stackDir, "public.nope");
  expect(unknown.code).toBe(2);
  expect(unknown.output).toContain("not captured by the pipeline: public.nope");
  const empty = mkdtempSync(join(tmpdir(), "cdc-reload-none-"));
  try {
    const none = await reload(empty, "public.orders");
    expect(none.code).toBe(2);
    expect(none.output).toContain("no running stack");
  } finally {
    rmSync(empty, { recursive: true, force: true });
  }
});

it("says a column pair OpenSearch cannot hold (pref beside pref.lang), and that the repair waits for its fix", async () => {
  const { db, stack, stackDir } = testStack();
  await db.query(`ALTER TABLE customers ADD COLUMN pref text, ADD COLUMN "pref.lang" text`);
  try {
    await db.query(
      `INSERT INTO customers (id, name, email, pref, "pref.lang") VALUES (9101, 'dotted', 'd@example.com', 'x', 'en')`,
    );
    expect(await stack.settle(30_000)).toBe(true);
    const dead = (await stack.deadLetters()).map((body) => JSON.parse(body) as { error: { type: string } });
    expect(dead.map((d) => d.error.type)).toEqual(["mapper_parsing_exception"]);
    const verify = await npmRun("verify", ["public.customers", "--second-look", "0"], {
      LOCAL_STACK_DIR: stackDir,
    });
    expect(verify.code).toBe(1);
    expect(verify.stdout).toContain(
      "config: public.customers: columns pref and pref.lang: OpenSearch reads a dot in a field name as an object path",
    );
    expect(verify.stdout).toContain(
      "repair (once the config problems above are fixed): npm run reload -- public.customers",
    );
  } finally {
    await db.query(`ALTER TABLE customers DROP COLUMN pref, DROP COLUMN "pref.lang"`);
  }
});
