/** `npm run db:migrate`: applies db/migrations to DATABASE_URL. */
import { join } from "node:path";
import { commandArgs } from "../lib/command-args";
import { projectRoot } from "../lib/project-root";
import { migrate } from "./migrations";

commandArgs(
  `usage: DATABASE_URL=<url> npm run db:migrate
  applies the migrations of db/migrations that the database has not run yet, in order`,
  {},
);
const url = process.env.DATABASE_URL;
if (!url) {
  console.error("db:migrate: set DATABASE_URL (npm start prints the local one)");
  process.exit(2);
}
const applied = await migrate(url, join(projectRoot(), "db", "migrations"));
console.log(applied.length ? `applied: ${applied.join(", ")}` : "database is up to date");
