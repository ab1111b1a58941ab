/**
 * The tests' way of running a project command (test/helpers/npm-run.ts): one that outlives its time is
 * stopped with everything under it. Killing npm alone, as before, left the command itself running (here
 * an OpenSearch emulator; in a failing e2e test, an `npm start` with its PostgreSQL).
 */
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";
import { processesNaming } from "../helpers/processes";

it("stops a command that outlives its time, and what it started", { timeout: 60_000 }, async () => {
  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const result = await npmRun("opensearch:emulator", ["--port", port], {}, 5_000);
  expect(result.code).toBe(-1);
  for (let i = 0; i < 20 && processesNaming("opensearch-emulator/cli.ts").length > 0; i++) await sleep(100);
  expect(processesNaming("opensearch-emulator/cli.ts")).toEqual([]);
});
