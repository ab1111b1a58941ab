/** Where PostgreSQL's data goes when the postgres user cannot reach the stack's folder (root in a home directory). */
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { fallbackPostgresDir } from "../../../tools/local-stack/postgres";

const root = mkdtempSync(join(tmpdir(), "cdc-pg-dir-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe("fallbackPostgresDir", () => {
  it("is a folder per project in the kept place (/var/tmp outlives a reboot), the earlier temp one while it is there", () => {
    const kept = join(root, "var-tmp");
    const earlier = join(root, "tmp");
    mkdirSync(kept);
    mkdirSync(earlier);
    const bases = { kept, earlier };
    const a = fallbackPostgresDir("/root/project-a/.local", bases);
    expect(a).toMatch(new RegExp(`^${kept}/aurora-cdc-[0-9a-f]{12}$`));
    expect(fallbackPostgresDir("/root/project-a/.local", bases)).toBe(a); // stable
    expect(fallbackPostgresDir("/root/project-b/.local", bases)).not.toBe(a); // per project
    mkdirSync(join(earlier, a.slice(kept.length + 1))); // what an earlier version made: its data stays in use
    expect(fallbackPostgresDir("/root/project-a/.local", bases)).toBe(
      join(earlier, a.slice(kept.length + 1)),
    );
    expect(fallbackPostgresDir("/root/project-c/.local", { kept: join(root, "none"), earlier })).toMatch(
      new RegExp(`^${earlier}/aurora-cdc-`),
    );
    expect(fallbackPostgresDir("/x/.local")).toMatch(/^\/var\/tmp\/aurora-cdc-/); // this machine has /var/tmp
  });
});
