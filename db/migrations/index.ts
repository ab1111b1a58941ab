/**
 * The migrations bundled into the database bootstrap function (esbuild loads `.sql` as text), generated
 * from the files of this directory by `npm run dms:settings -- --write`; `npm test` fails when a file
 * is left out.
 */
import { type Migration, migration } from "../../shared/migrations";
import m0001 from "./0001_business_events.sql";
import m0002 from "./0002_event_data_fits_cdc.sql";

export const bundledMigrations: Migration[] = [
  migration("0001_business_events.sql", m0001),
  migration("0002_event_data_fits_cdc.sql", m0002),
];
