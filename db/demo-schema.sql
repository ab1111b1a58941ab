-- Demo tables for the local stack (`npm start`): routed by config/pipeline.yaml. Not a migration: the
-- product's own tables live in db/migrations.
CREATE TABLE IF NOT EXISTS public.customers (
  id          bigint PRIMARY KEY,
  name        text        NOT NULL,
  email       text        NOT NULL,
  country     char(2),
  preferences jsonb       NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS public.orders (
  id          bigint PRIMARY KEY,
  customer_id bigint,
  status      text          NOT NULL,
  amount      numeric(12,2) NOT NULL,
  currency    char(3)       NOT NULL DEFAULT 'EUR',
  attributes  jsonb,
  active      boolean       NOT NULL DEFAULT true,
  card_number text,                       -- excluded from the index by config/pipeline.yaml
  created_at  timestamptz   NOT NULL DEFAULT now(),
  updated_at  timestamptz   NOT NULL DEFAULT now()
);
-- Added later: a database made by an earlier `npm start` gets it too.
ALTER TABLE public.orders ADD COLUMN IF NOT EXISTS tags text[];
CREATE TABLE IF NOT EXISTS public.order_items (
  order_id   bigint        NOT NULL,
  line_no    integer       NOT NULL,
  sku        text          NOT NULL,
  quantity   integer       NOT NULL,
  unit_price numeric(12,2) NOT NULL,
  PRIMARY KEY (order_id, line_no)
);
