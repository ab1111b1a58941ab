/** `npm run db:migrate`: applies db/migrations to DATABASE_URL, or to the running local stack's database. */

import { namedColumnsOf } from "../../shared/named-columns";
import { migrationsDir, unbundledMigrations } from "../dms-settings/migrations-index";
import { exitOnClosedPipe } from "../lib/closed-pipe";
import { commandArgs } from "../lib/command-args";
import { readStackFile } from "../lib/local-stack-file";
import { pipelineConfigPath, readPipelineConfig } from "../lib/pipeline-config-path";
import { projectRoot } from "../lib/project-root";
import { migrate } from "./migrations";

exitOnClosedPipe();

commandArgs(
  `usage: npm run db:migrate                     the running local stack's database (npm start)
       DATABASE_URL=<url> npm run db:migrate  another database
  applies the migrations of db/migrations that the database has not run yet, in order`,
  {},
);
const url = process.env.DATABASE_URL || readStackFile()?.databaseUrl;
if (!url) {
  console.error("db:migrate: no running stack (npm start) and no DATABASE_URL: set DATABASE_URL=<url>");
  process.exit(2);
}
const dir = migrationsDir(projectRoot());
try {
  // The routing config the stack (or the bundle) uses: the columns it names no migration may rename.
  const pipeline = readPipelineConfig(
    pipelineConfigPath(process.env.DATABASE_URL ? undefined : readStackFile()),
  );
  const applied = await migrate(url, dir, namedColumnsOf(pipeline));
  console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
  const unbundled = unbundledMigrations(dir);
  if (unbundled.length > 0)
    console.error(
      `db:migrate: db/migrations/index.ts does not bundle ${unbundled.join(", ")}, so a stage's database bootstrap would not apply it: npm run dms:settings -- --write`,
    );
} catch (error) {
  // A migration that failed (rolled back: nothing of it applied), changed or misnamed, or no database.
  console.error(`db:migrate: ${(error as Error).message}`);
  process.exit(1);
}
