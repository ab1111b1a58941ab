/** Columns the routing config types or excludes that its table lacks (a rename by a migration). */
import { expect, it } from "vitest";
import { columnProblems } from "../../shared/configured-columns";
import { parsePipelineConfig } from "../../shared/pipeline-config";

const routing = parsePipelineConfig(`
tables:
  public.orders:
    columns:
      amount: { type: number, scale: 2 }
      __proto__: json
      updated_at: timestamp
    exclude: [card_number, cvv]
`).routingFor("public", "orders");

it("says nothing when the table has every column the config names", () => {
  const columns = new Set(["id", "amount", "__proto__", "updated_at", "card_number", "cvv", "other"]);
  expect(columnProblems(routing, columns)).toEqual([]);
});

it("names the excluded and the declared columns the table lacks, each kind in one sentence", () => {
  expect(columnProblems(routing, new Set(["id", "amount", "card_no", "cvv"]))).toEqual([
    "public.orders: exclude names card_number, which the table does not have; a column renamed from it is indexed under its new name (and sent by DMS on a stage): exclude the new name",
    "public.orders: columns declares updated_at, __proto__, which the table does not have; a column renamed from it is indexed under its new name as DMS sends it, untyped: declare the new name",
  ]);
});

it("names a column OpenSearch refuses by name (a metadata field) unless it is excluded", () => {
  const config = parsePipelineConfig(`
tables:
  public.docs:
    primaryKey: [_id]
  public.rows:
    exclude: [_routing]
`);
  const docs = config.routingFor("public", "docs");
  expect(
    columnProblems(docs, new Set(["_id", "_version", "_doc_count", "name", "_source.x", "_seq_no."])),
  ).toEqual([
    "public.docs: column _id has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): it is a key column, which cannot be excluded: rename it in the database",
    "public.docs: column _version has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it",
    // A dotted name is a path from its first part, trailing dots dropped.
    "public.docs: column _source.x has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it",
    "public.docs: column _seq_no. has a name OpenSearch keeps for itself (a metadata field), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it",
  ]);
  expect(columnProblems(config.routingFor("public", "rows"), new Set(["id", "_routing"]))).toEqual([]);
});

it("names columns whose dotted names OpenSearch cannot hold: an empty or blank part, the same field twice, or a path through another column", () => {
  const config = parsePipelineConfig(`
tables:
  public.customers:
    primaryKey: [id]
    exclude: [legacy.., ".old"]
`);
  const customers = config.routingFor("public", "customers");
  expect(
    columnProblems(
      customers,
      new Set([
        "id",
        "pref",
        "pref.lang",
        "a.b.c",
        "a",
        "x.y",
        ".z",
        "legacy..",
        ".old",
        "note",
        "note.",
        "m. .n",
      ]),
    ),
  ).toEqual([
    "public.customers: column .z has a name OpenSearch refuses (a dot in a field name is an object path, and one of its parts is empty or blank), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it or rename it in the database",
    "public.customers: columns note and note.: OpenSearch drops the trailing dots of a field name, so both are the field note, which holds both columns' values (or refuses the row when one does not fit the other's mapping): exclude one or rename it in the database",
    "public.customers: column m. .n has a name OpenSearch refuses (a dot in a field name is an object path, and one of its parts is empty or blank), so OpenSearch refuses every row (mapper_parsing_exception, to the DLQ): exclude it or rename it in the database",
    "public.customers: columns pref and pref.lang: OpenSearch reads a dot in a field name as an object path (pref.lang is lang inside pref), and pref cannot hold a value and an object at once: rows with values in both are refused, then every row with a value in the one mapped second (mapper_parsing_exception, to the DLQ): exclude one or rename it in the database",
    "public.customers: columns a and a.b.c: OpenSearch reads a dot in a field name as an object path (a.b.c is b.c inside a), and a cannot hold a value and an object at once: rows with values in both are refused, then every row with a value in the one mapped second (mapper_parsing_exception, to the DLQ): exclude one or rename it in the database",
  ]);
  // A dotted name alone is a path OpenSearch maps (x.y is y inside x), a trailing dot dropped (legacy.. is
  // legacy): fine; so is one excluded.
  expect(columnProblems(customers, new Set(["id", "x.y", "pref.lang", "legacy..", ".old", "tail."]))).toEqual(
    [],
  );
  // A path through a column named with a trailing dot is one too.
  expect(columnProblems(customers, new Set(["id", "legacy..", ".old", "tail.", "tail.end"]))).toEqual([
    "public.customers: columns tail. and tail.end: OpenSearch reads a dot in a field name as an object path (tail.end is end inside tail), and tail cannot hold a value and an object at once: rows with values in both are refused, then every row with a value in the one mapped second (mapper_parsing_exception, to the DLQ): exclude one or rename it in the database",
  ]);
});
