/**
 * Document ids from primary-key values, stable so that deletes find their documents.
 * - one key column: the value as text (`42`, `abc`);
 * - composite keys: each value percent-encoded (encodeURIComponent) and joined with `|` in key order;
 *   `|` never survives the encoding, so the id is unambiguous (`7|2`, `a%7Cb|c`).
 * Never a hash of the fields.
 */
import { keyColumnsOf } from "../../shared/captured-keys";
import { PermanentRecordError } from "../../shared/errors";
import { isKeptNumber } from "../../shared/exact-json";
import { ownValue } from "../../shared/own-properties";

const MAX_ID_BYTES = 512;
/** DMS renders bigints over 16 digits in scientific notation, which has lost digits: unusable as a key. */
const SCIENTIFIC = /^[+-]?\d(\.\d+)?[eE][+-]?\d+$/;

function keyText(table: string, column: string, value: unknown): string {
  if (value === null || value === undefined) {
    throw new PermanentRecordError(
      "missing_primary_key",
      `${table}: primary key column ${column} is missing or null`,
    );
  }
  // A number kept as written (an int8 past 2^53, functions/indexer/dms-message.ts) is its digits.
  const kept = isKeptNumber(value);
  if (typeof value === "object" && !kept) {
    throw new PermanentRecordError(
      "invalid_primary_key",
      `${table}: primary key column ${column} is not a scalar`,
    );
  }
  // A number past 2^53 that a double holds exactly arrives plain (written in full with at most 15
  // significant digits: 9007199254740990); one written with more digits, or in scientific notation (DMS's
  // form for 17+ digits, already without its last digits), arrives kept as written
  // (functions/indexer/dms-message.ts), so only the latter is lossy.
  const text = kept ? value.rawJSON : String(value);
  if (SCIENTIFIC.test(text) || (typeof value === "number" && !Number.isFinite(value))) {
    throw new PermanentRecordError(
      "lossy_primary_key",
      `${table}: primary key column ${column} (${text}) arrived in a lossy numeric form; render it as text in DMS`,
    );
  }
  return text;
}

/** The key columns for a table: configured, else `[id]` when the row has an id column. */
export function primaryKeyColumns(
  table: string,
  configured: string[] | undefined,
  row: Record<string, unknown>,
): string[] {
  const key = keyColumnsOf(configured, "id" in row);
  if (key) return key;
  throw new PermanentRecordError(
    "no_primary_key",
    `${table}: no primaryKey configured and the row has no id column; add the table to config/pipeline.yaml`,
  );
}

export function documentId(table: string, keyColumns: string[], row: Record<string, unknown>): string {
  const parts = keyColumns.map((column) => keyText(table, column, ownValue(row, column)));
  const id = parts.length === 1 ? (parts[0] as string) : parts.map(encodeURIComponent).join("|");
  if (id.length === 0)
    throw new PermanentRecordError("invalid_primary_key", `${table}: primary key is empty`);
  // At most 3 bytes per UTF-16 unit: only an id that might be over the limit is counted in bytes.
  if (id.length * 3 > MAX_ID_BYTES && Buffer.byteLength(id) > MAX_ID_BYTES) {
    throw new PermanentRecordError(
      "invalid_primary_key",
      `${table}: document id is over ${MAX_ID_BYTES} bytes`,
    );
  }
  return id;
}
