/**
 * The tests' way of running a project command (test/helpers/npm-run.ts): one that outlives its time is
 * stopped with everything under it. Killing npm alone, as before, left the command itself running (here
 * an OpenSearch emulator; in a failing e2e test, an `npm start` with its PostgreSQL).
 */
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { expect, it } from "vitest";
import { npmRun } from "../helpers/npm-run";

const running = (marker: string) =>
  readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readFileSync(`/proc/${p}/cmdline`, "utf8").includes(marker);
      } catch {
        return false;
      }
    });

it("stops a command that outlives its time, and what it started", { timeout: 60_000 }, async () => {
  const port = String(20_000 + Math.floor(Math.random() * 20_000));
  const result = await npmRun("opensearch:emulator", ["--port", port], {}, 5_000);
  expect(result.code).toBe(-1);
  for (let i = 0; i < 20 && running("opensearch-emulator/cli.ts").length > 0; i++) await sleep(100);
  expect(running("opensearch-emulator/cli.ts")).toEqual([]);
});
