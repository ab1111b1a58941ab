/**
 * Repairing an index on the local stack as an operator does: the index is deleted (a mapping fix, a
 * rebuild), `npm run reload -- <table>` sends the table's rows again as full-load records, and verify
 * finds the index equal to the table again, secret columns still left out. Runs the real command.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import { writeStackFile } from "../../operator/lib/local-stack-file";
import { startTestStack, stopTestStack, verifyStack } from "../helpers/stack";

const run = promisify(execFile);
let t: Awaited<ReturnType<typeof startTestStack>>;
let stackDir: string;
beforeAll(async () => {
  t = await startTestStack();
  stackDir = mkdtempSync(join(tmpdir(), "cdc-reload-"));
  const { stack } = t;
  writeStackFile(
    {
      pid: process.pid,
      databaseUrl: stack.databaseUrl,
      opensearchUrl: stack.opensearchUrl,
      indexPrefix: "unused-",
      streamArn: stack.streamArn,
      dlqUrl: stack.dlqUrl,
      ...(stack.kinesisEndpoint && { kinesisEndpoint: stack.kinesisEndpoint }),
      ...(stack.sqsEndpoint && { sqsEndpoint: stack.sqsEndpoint }),
    },
    stackDir,
  );
});
afterAll(async () => {
  await stopTestStack(t);
  rmSync(stackDir, { recursive: true, force: true });
});

/** The command as an operator runs it: its output and exit code, whether it succeeded or not. */
const reload = async (dir: string, ...args: string[]) => {
  try {
    const { stdout, stderr } = await run("npm", ["run", "-s", "reload", "--", ...args], {
      env: { ...process.env, LOCAL_STACK_DIR: dir },
      timeout: 60_000,
    });
    return { output: stdout + stderr, code: 0 };
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; code?: number };
    return { output: (e.stdout ?? "") + (e.stderr ?? ""), code: e.code ?? -1 };
  }
};

it("a deleted index comes back whole from a reload of its table; verify finds no difference", async () => {
  const { db, stack } = t;
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

  const reloaded = await reload(stackDir, "public.orders");
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

it("names what it cannot reload, and needs a running stack", async () => {
  const unknown = await reload(stackDir, "public.nope");
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
