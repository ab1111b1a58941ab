-- DMS carries event_data as a LOB and cuts it at the task's LobMaxSize (512 KB, shared/dms-settings.ts).
-- An event whose stored JSONB text reaches that size would arrive cut (the indexer dead-letters it as
-- lob_truncated), so it is refused when written. PostgreSQL's JSONB text can be far longer than the JSON
-- sent (numbers are written out in full: 1e300 takes 301 characters), so the request size alone cannot
-- tell. NOT VALID: rows already stored are not checked.
ALTER TABLE public.business_events
  ADD CONSTRAINT business_events_event_data_fits_cdc CHECK (octet_length(event_data::text) < 524288) NOT VALID;
