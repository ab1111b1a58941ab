/**
 * A configured table created while `npm start` runs: the capture says once that a restart captures it
 * (the table joins the publication and is loaded in full at the next start), instead of staying silent.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestStack, stopTestStack } from "../helpers/stack";

const logged: string[] = [];
let t: Awaited<ReturnType<typeof startTestStack>>;
const previous = process.env.PIPELINE_CONFIG;

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "cdc-late-"));
  const config = readFileSync("config/pipeline.yaml", "utf8").replace(
    "\nroutes:",
    "\n  public.late_table:\n    primaryKey: [id]\n\nroutes:",
  );
  writeFileSync(join(dir, "pipeline.yaml"), config);
  process.env.PIPELINE_CONFIG = join(dir, "pipeline.yaml");
  t = await startTestStack({ log: (line) => logged.push(line) });
});
afterAll(async () => {
  await stopTestStack(t);
  rmSync(dir, { recursive: true, force: true });
  if (previous === undefined) delete process.env.PIPELINE_CONFIG;
  else process.env.PIPELINE_CONFIG = previous;
});

describe("a configured table created after the start", () => {
  it("is named at the start as missing, then once when created, with the restart that captures it", {
    timeout: 60_000,
  }, async () => {
    expect(logged.filter((l) => l.includes("late_table"))).toEqual([
      "config: public.late_table is not a table in the database, so nothing of it is captured: check the name (schema.table, case included); a table created later is captured from the next npm start (a full load)",
    ]);
    await t.db.query("CREATE TABLE public.late_table (id int PRIMARY KEY, v text)");
    await t.db.query("INSERT INTO public.late_table VALUES (1, 'x')");
    const hint = "capture: public.late_table was created after the start; restart npm start to capture it";
    for (let i = 0; i < 60 && !logged.some((l) => l.startsWith(hint)); i++)
      await new Promise((r) => setTimeout(r, 250));
    await new Promise((r) => setTimeout(r, 6_000)); // another round of the watch: still said once
    expect(logged.filter((l) => l.startsWith(hint))).toHaveLength(1);
    expect(t.stack.capture.error).toBeUndefined();
  });
});
