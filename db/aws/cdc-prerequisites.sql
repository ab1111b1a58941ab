-- CDC prerequisites on the Aurora PostgreSQL cluster: run once per cluster (and again after adding a
-- captured table; every statement is idempotent), as the master user, AFTER `npm run db:migrate`.
--
-- Passwords come from Secrets Manager at run time and never appear in the repository or the shell
-- history (psql variables, no echo):
--
--   export PGSSLMODE=verify-full PGSSLROOTCERT=global-bundle.pem   # RDS CA bundle
--   psql "host=<cluster writer endpoint> dbname=<DbName> user=<master user>" -v ON_ERROR_STOP=1 \
--     -v producer_password="$(aws secretsmanager get-secret-value --secret-id cdc/<stage>/producer-db \
--          --query SecretString --output text | jq -r .password)" \
--     -v dms_password="$(aws secretsmanager get-secret-value --secret-id cdc/<stage>/dms-db \
--          --query SecretString --output text | jq -r .password)" \
--     -f db/aws/cdc-prerequisites.sql
--
-- Cluster parameter group (not SQL): rds.logical_replication = 1, then reboot the writer.
-- test/integration/cdc-prerequisites.test.ts runs this file against PostgreSQL and checks every grant.

-- 1. The producer API's user. RDS Proxy logs in as it with the password from cdc/<stage>/producer-db;
--    it may read and insert business events, nothing else. Its statement timeout is a role default
--    (a client-side SET would pin RDS Proxy connections).
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cdc_producer') THEN
    CREATE ROLE cdc_producer LOGIN;
  END IF;
END
$$;
ALTER ROLE cdc_producer WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION PASSWORD :'producer_password';
ALTER ROLE cdc_producer SET statement_timeout = '5s';
ALTER ROLE cdc_producer SET idle_in_transaction_session_timeout = '10s';
GRANT USAGE ON SCHEMA public TO cdc_producer;
GRANT SELECT, INSERT ON public.business_events TO cdc_producer;

-- 2. The DMS user: reads the captured tables (full load) and the replication stream (CDC).
--    On Aurora replication comes from the rds_replication role; on plain PostgreSQL (local checks)
--    from the REPLICATION attribute.
DO $$
BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'cdc_dms') THEN
    CREATE ROLE cdc_dms LOGIN;
  END IF;
END
$$;
ALTER ROLE cdc_dms WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'dms_password';
DO $$
BEGIN
  IF EXISTS (SELECT FROM pg_roles WHERE rolname = 'rds_replication') THEN
    EXECUTE 'GRANT rds_replication TO cdc_dms';
  ELSE
    EXECUTE 'ALTER ROLE cdc_dms REPLICATION';
  END IF;
END
$$;
GRANT USAGE ON SCHEMA public TO cdc_dms;
GRANT SELECT ON public.business_events TO cdc_dms;
-- Every other table config/pipeline.yaml routes needs the same, by hand until the database bootstrap
-- does it: GRANT SELECT ON <schema.table> TO cdc_dms; (and USAGE on its schema).

-- 3. Replica identity: the primary key is enough (deletes carry the key, which is all the indexer
--    needs). A captured table without a primary key would need REPLICA IDENTITY FULL.
ALTER TABLE public.business_events REPLICA IDENTITY DEFAULT;

-- 4. No publication: DMS creates and manages its own replication slot (plugin test_decoding, or
--    pglogical when that extension is installed; PostgreSqlSettings.PluginName has no pgoutput value),
--    so a publication would never be read. The tables DMS captures are chosen by the task's table
--    mappings, generated from config/pipeline.yaml (npm run dms:settings).
