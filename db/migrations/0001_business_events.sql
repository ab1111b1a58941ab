-- Business events written by the producer API: flat columns for filtering, the whole event as JSONB.
CREATE TABLE IF NOT EXISTS public.business_events (
  id           varchar(255) PRIMARY KEY,          -- eventHeader.uuid
  event_name   varchar(255) NOT NULL,
  event_type   varchar(255),
  created_date timestamptz,
  saved_date   timestamptz,
  event_data   jsonb        NOT NULL
);
CREATE INDEX IF NOT EXISTS business_events_event_type_idx ON public.business_events (event_type);
CREATE INDEX IF NOT EXISTS business_events_created_date_idx ON public.business_events (created_date);
