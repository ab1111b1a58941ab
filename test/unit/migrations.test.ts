/**
 * The migration list bundled into the database bootstrap holds every file of db/migrations, byte for byte,
 * and the rules of a migration set hold (names, one file per version).
 */
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { bundledMigrations } from "../../db/migrations/index";
import { checkLogicalReplication } from "../../functions/db-bootstrap/prerequisites";
import {
  migrationFiles,
  migrationsIndexText,
  unbundledMigrations,
} from "../../operator/dms-settings/migrations-index";
import { migration, orderedMigrations } from "../../shared/migrations";

describe("bundled migrations", () => {
  it("are exactly the files of db/migrations, with their text", () => {
    const files = readdirSync("db/migrations")
      .filter((f) => f.endsWith(".sql"))
      .sort();
    expect(
      readFileSync("db/migrations/index.ts", "utf8"),
      "db/migrations/index.ts lags the folder (a migration left out never runs on a stage): npm run dms:settings -- --write",
    ).toBe(migrationsIndexText(migrationFiles("db/migrations")));
    expect(bundledMigrations.map((m) => m.file)).toEqual(files);
    for (const m of bundledMigrations) expect(m.sql).toBe(readFileSync(`db/migrations/${m.file}`, "utf8"));
  });

  it("refuse a badly named file and two files with one version", () => {
    expect(() => migration("add_table.sql", "")).toThrow(/NNNN_name.sql/);
    expect(() => orderedMigrations([migration("0003_a.sql", "a"), migration("0003_b.sql", "b")])).toThrow(
      /share version 0003/,
    );
    expect(
      orderedMigrations([migration("0002_b.sql", ""), migration("0001_a.sql", "")]).map((m) => m.file),
    ).toEqual(["0001_a.sql", "0002_b.sql"]);
  });
});

describe("logical replication check", () => {
  const server = (walLevel: string) =>
    ({ query: async () => ({ rows: [{ wal_level: walLevel }] }) }) as never as import("pg").ClientBase;

  it("refuses a cluster without rds.logical_replication, saying what to set", async () => {
    await expect(checkLogicalReplication(server("replica"))).rejects.toThrow(
      /wal_level is replica.*rds\.logical_replication = 1/,
    );
    await expect(checkLogicalReplication(server("logical"))).resolves.toBeUndefined();
  });
});

describe("db/migrations/index.ts, generated", () => {
  it("lists every file of the folder in order, each imported as text", () => {
    expect(migrationsIndexText(["0001_a.sql", "0010_b.sql"])).toContain(
      'import m0001 from "./0001_a.sql";\nimport m0010 from "./0010_b.sql";\n\nexport const bundledMigrations: Migration[] = [\n  migration("0001_a.sql", m0001),\n  migration("0010_b.sql", m0010),\n];\n',
    );
  });

  it("names the files its index.ts does not bundle (what db:migrate applies and a stage would not)", () => {
    const dir = mkdtempSync(join(tmpdir(), "cdc-migrations-"));
    try {
      for (const file of ["0001_a.sql", "0002_b.sql", "0003_c.sql"])
        writeFileSync(join(dir, file), "SELECT 1;");
      expect(unbundledMigrations(dir)).toEqual(["0001_a.sql", "0002_b.sql", "0003_c.sql"]); // no index.ts
      writeFileSync(join(dir, "index.ts"), migrationsIndexText(["0001_a.sql", "0002_b.sql"]));
      expect(unbundledMigrations(dir)).toEqual(["0003_c.sql"]);
      writeFileSync(join(dir, "index.ts"), migrationsIndexText(migrationFiles(dir)));
      expect(unbundledMigrations(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(unbundledMigrations("db/migrations")).toEqual([]);
  });
});
