/**
 * How the pipeline names a captured table: `schema.table`, as PostgreSQL spells both (case kept: a
 * table an ORM created as "Invoice" is `public.Invoice`), without spaces, dots or commas inside a name
 * (the generated template lists tables comma-separated). One rule for the routing config and the
 * database bootstrap. Names reach SQL only quoted (escapeIdentifier) or as bound parameters.
 */
export const TABLE_NAME = /^[^.\s,]+\.[^.\s,]+$/;
export const TABLE_NAME_RULE = "tables are named schema.table (no spaces, dots or commas inside a name)";

/** `schema.table` as SQL: each part quoted by the client's escapeIdentifier. */
export const quotedTable = (
  table: string,
  client: { escapeIdentifier(identifier: string): string },
): string =>
  table
    .split(".")
    .map((part) => client.escapeIdentifier(part))
    .join(".");

/**
 * SQL for the relation a `schema.table` text names (`name` is the SQL expression holding it), or null
 * when there is none: for queries that look tables up by the pipeline's names.
 */
export const relationNamed = (name: string): string =>
  `to_regclass(quote_ident(split_part(${name}, '.', 1)) || '.' || quote_ident(split_part(${name}, '.', 2)))`;
