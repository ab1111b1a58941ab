/**
 * The field names OpenSearch keeps for itself (its built-in metadata fields, IndicesModule): a document
 * holding one at its top level is refused (`mapper_parsing_exception`, "Field [_id] is a metadata field
 * and cannot be added inside a document"). `_doc_count` is one too but is taken from a document (a
 * positive integer: how many documents the one stands for in aggregations), so it is not listed.
 */
export const REFUSED_METADATA_FIELDS: ReadonlySet<string> = new Set([
  "_ignored",
  "_id",
  "_routing",
  "_index",
  "_data_stream_timestamp",
  "_source",
  "_nested_path",
  "_version",
  "_seq_no",
  "_field_names",
]);

export const metadataFieldRefusal = (field: string): string =>
  `Field [${field}] is a metadata field and cannot be added inside a document. Use the index API request parameters.`;
