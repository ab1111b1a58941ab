/**
 * `db/migrations/index.ts`, the list of migrations bundled into the database bootstrap (esbuild cannot
 * bundle a folder), is generated from the folder's files: a migration added to the folder and left out of
 * the list ran locally (`npm run db:migrate` reads the folder) and never on a stage. `npm run dms:settings
 * -- --write` writes it with the template's literals; `--check` names what it lacks.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { migration } from "../../shared/migrations";

/** The folder's migration files, in order (each checked for its name: NNNN_name.sql). */
export function migrationFiles(dir: string): string[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort();
  for (const file of files) migration(file, "");
  return files;
}

/** The text of `index.ts` for these files, as the formatter writes it. */
export function migrationsIndexText(files: string[]): string {
  const name = (file: string) => `m${file.slice(0, 4)}`;
  return `/**
 * The migrations bundled into the database bootstrap function (esbuild loads \`.sql\` as text), generated
 * from the files of this directory by \`npm run dms:settings -- --write\`; \`npm test\` fails when a file
 * is left out.
 */
import { type Migration, migration } from "../../shared/migrations";
${files.map((f) => `import ${name(f)} from "./${f}";`).join("\n")}

export const bundledMigrations: Migration[] = [
${files.map((f) => `  migration(${JSON.stringify(f)}, ${name(f)}),`).join("\n")}
];
`;
}

export const migrationsDir = (root: string) => join(root, "db", "migrations");

/**
 * The folder's migration files its `index.ts` does not import: `npm run db:migrate` applies them (it reads
 * the folder) and a stage's database bootstrap would not.
 */
export function unbundledMigrations(dir: string): string[] {
  let index = "";
  try {
    index = readFileSync(join(dir, "index.ts"), "utf8");
  } catch {
    // No index.ts: nothing is bundled.
  }
  return migrationFiles(dir).filter((file) => !index.includes(`from "./${file}"`));
}
