/**
 * The migrations bundled into the database bootstrap function (esbuild loads `.sql` as text). Every file
 * of this directory is listed here: test/unit/migrations.test.ts fails on a file left out.
 */
import { type Migration, migration } from "../../shared/migrations";
import m0001 from "./0001_business_events.sql";
import m0002 from "./0002_event_data_fits_cdc.sql";

export const bundledMigrations: Migration[] = [
  migration("0001_business_events.sql", m0001),
  migration("0002_event_data_fits_cdc.sql", m0002),
];
