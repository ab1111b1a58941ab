import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { removeWipeLeftovers, wipe } from "../../../tools/local-stack/wipe";

const parents: string[] = [];
const stackDir = () => {
  const parent = mkdtempSync(join(tmpdir(), "cdc-wipe-"));
  parents.push(parent);
  const dir = join(parent, ".local");
  mkdirSync(join(dir, "postgres", "data"), { recursive: true });
  writeFileSync(join(dir, "postgres", "data", "PG_VERSION"), "17\n");
  mkdirSync(join(dir, "kinesis"));
  return { parent, dir };
};
afterEach(() => {
  for (const parent of parents.splice(0)) rmSync(parent, { recursive: true, force: true });
});

describe("npm start -- --fresh (wipe)", () => {
  it("deletes the stack's folder and nothing beside it", () => {
    const { parent, dir } = stackDir();
    writeFileSync(join(parent, ".local-notes"), "mine");
    wipe(dir);
    expect(readdirSync(parent)).toEqual([".local-notes"]);
  });

  it("deletes what a wipe stopped midway left aside (it holds rows), at a fresh start and at any start", () => {
    const { parent, dir } = stackDir();
    mkdirSync(join(parent, ".local.wiping-4242", "kinesis"), { recursive: true });
    wipe(dir);
    expect(readdirSync(parent)).toEqual([]);

    mkdirSync(join(parent, ".local.wiping-4243", "postgres"), { recursive: true });
    mkdirSync(dir);
    removeWipeLeftovers(dir);
    expect(readdirSync(parent)).toEqual([".local"]);
    expect(existsSync(dir)).toBe(true);
  });

  it("does nothing to a folder that does not exist", () => {
    const { parent, dir } = stackDir();
    rmSync(dir, { recursive: true });
    wipe(dir);
    expect(readdirSync(parent)).toEqual([]);
  });
});
