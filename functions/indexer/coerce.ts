/**
 * Column coercion per the routing config's `columns`. DMS renders jsonb/json/arrays as strings and may
 * render numerics and booleans as strings; this turns them back into the types OpenSearch should map.
 * Rule for a value that fails its coercion: the whole record is a permanent failure (dead-letter queue,
 * reason `coercion_failed` naming the column); it is never dropped or indexed half-converted.
 */
import { LOB_MAX_BYTES } from "../../shared/dms-settings";
import { PermanentRecordError } from "../../shared/errors";
import {
  checkJsonDepth,
  isKeptNumber,
  JsonTooDeepError,
  MAX_JSON_DEPTH,
  parseJsonKeepingDigits,
  significantDigits,
} from "../../shared/exact-json";
import { ownValue, setOwn } from "../../shared/own-properties";
import type { ColumnSpec, ColumnType, ElementType } from "../../shared/pipeline-config";
import { type PgArray, PgArrayError, parsePgArray } from "./pg-array";
import { toIsoUtc } from "./timestamps";

const NUMERIC = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
const BOOLEANS = new Map<unknown, boolean>([
  [true, true],
  [false, false],
  ["true", true],
  ["false", false],
  ["t", true],
  ["f", false],
  ["1", true],
  ["0", false],
  [1, true],
  [0, false],
]);

export class CoercionError extends PermanentRecordError {
  override name = "CoercionError";
  constructor(column: string, type: string, value: unknown, detail?: string) {
    const shown = JSON.stringify(value)?.slice(0, 80);
    super(
      "coercion_failed",
      `column ${column}: ${shown} is not a valid ${type}${detail ? ` (${detail})` : ""}`,
    );
  }
}

function toNumber(column: string, type: "number" | "integer", value: unknown): unknown {
  // A number kept as written (an int8 past 2^53) is read as its digits, like DMS's numeric strings.
  if (isKeptNumber(value)) return toNumber(column, type, value.rawJSON);
  if (typeof value === "number") {
    if (!Number.isFinite(value) || (type === "integer" && !Number.isInteger(value)))
      throw new CoercionError(column, type, value);
    return value;
  }
  if (typeof value !== "string" || !NUMERIC.test(value.trim())) throw new CoercionError(column, type, value);
  const text = value.trim();
  const n = Number(text);
  if (!Number.isFinite(n) || (type === "integer" && !Number.isInteger(n)))
    throw new CoercionError(column, type, value);
  if (!Number.isSafeInteger(n)) {
    // Integers beyond 2^53 stay digit strings: a JSON number would lose digits; OpenSearch coerces the
    // string into the field.
    if (/^[+-]?\d+$/.test(text)) return text;
    // An integer past 2^53 written other than digit by digit (1.23456789012346E+16) has lost its last
    // digits: DMS writes an int8 of 17 or more digits so. Indexed, it would be another number.
    if (type === "integer")
      throw new CoercionError(
        column,
        type,
        value,
        "not exact: DMS writes an int8 of 17 or more digits in scientific notation, without its last digits",
      );
  }
  // Decimals with more significant digits than a double keeps exactly (15) stay digit strings too.
  if (significantDigits(text) > 15) return text;
  return n;
}

/**
 * A PostgreSQL array column (its text, as DMS sends it, or already a list in a record written by hand) as
 * a JSON array of its elements read as `of`; a multi-dimensional one as nested arrays. One element that
 * is not an `of` fails the column, naming the element.
 */
function toArray(column: string, of: ElementType, value: unknown): unknown[] {
  const type = `array of ${of}`;
  let items: unknown[];
  if (Array.isArray(value)) items = value;
  else if (typeof value === "string") {
    try {
      items = parsePgArray(value);
    } catch (error) {
      if (error instanceof PgArrayError) throw new CoercionError(column, type, value, error.message);
      throw error;
    }
  } else throw new CoercionError(column, type, value);
  let position = 0;
  const read = (list: PgArray | unknown[]): unknown[] =>
    list.map((item) => {
      if (Array.isArray(item)) return read(item);
      position++;
      try {
        return coerceValue(column, of, item);
      } catch (error) {
        if (!(error instanceof CoercionError)) throw error;
        throw new CoercionError(
          column,
          type,
          value,
          `element ${position}: ${JSON.stringify(item)?.slice(0, 80)}`,
        );
      }
    });
  return read(items);
}

/** An object, or a list (of lists) of objects and nulls: what an object or flat_object field takes. */
const isObjectShaped = (value: unknown): boolean =>
  value === null ||
  (typeof value === "object" &&
    !isKeptNumber(value) &&
    (!Array.isArray(value) || value.every((item) => isObjectShaped(item))));

/**
 * A json column maps as an object (`flat_object` when freeForm): OpenSearch refuses any other JSON there
 * (a string, a number, a list of them) as "a concrete value". Refused here, with a reason that says what
 * to do, before the batch is sent.
 */
function objectShaped(column: string, value: unknown, original: unknown): unknown {
  if (isObjectShaped(value)) return value;
  throw new CoercionError(
    column,
    "json",
    original,
    "a json column takes a JSON object or a list of objects, as OpenSearch maps it as an object; leave a column of other JSON undeclared to index its text",
  );
}

/** Why a json column's text is not JSON; a PostgreSQL array's text (`{a,b}`) says which type reads it. */
function notJsonDetail(value: string, error: Error): string {
  const start = value.trimStart()[0];
  if (start === "{" || start === "[") {
    try {
      parsePgArray(value);
      return `${error.message}; it reads as a PostgreSQL array: declare the column {type: array}`;
    } catch {
      // Not an array either: JSON's reason is the one to give.
    }
  }
  return error.message;
}

export function coerceValue(column: string, type: ColumnType, value: unknown, of?: ElementType): unknown {
  if (value === null || value === undefined) return null;
  switch (type) {
    case "array":
      return toArray(column, of ?? "string", value);
    case "string":
      return typeof value === "object" ? JSON.stringify(value) : String(value);
    case "number":
    case "integer":
      return toNumber(column, type, value);
    case "boolean": {
      // The exact spellings first; only other text is trimmed and lower-cased (the same accepted set).
      const b =
        BOOLEANS.get(value) ??
        (typeof value === "string" ? BOOLEANS.get(value.trim().toLowerCase()) : undefined);
      if (b === undefined) throw new CoercionError(column, type, value);
      return b;
    }
    case "json": {
      if (typeof value !== "string") return objectShaped(column, value, value);
      // Numbers inside keep every digit they were written with (shared/exact-json.ts); the value sits one
      // level inside its document, which OpenSearch reads to MAX_JSON_DEPTH levels.
      let parsed: unknown;
      try {
        parsed = parseJsonKeepingDigits(value, MAX_JSON_DEPTH - 1);
      } catch (error) {
        if (error instanceof JsonTooDeepError) throw tooDeep(column, error);
        throw new CoercionError(column, type, value, notJsonDetail(value, error as Error));
      }
      return objectShaped(column, parsed, value);
    }
    case "timestamp": {
      if (typeof value === "number" && Number.isFinite(value)) return new Date(value).toISOString();
      const iso = typeof value === "string" ? toIsoUtc(value) : undefined;
      if (!iso) throw new CoercionError(column, type, value);
      return iso;
    }
  }
}

/**
 * A text value as long as the DMS task's LOB limit may have been cut there (limited LOB mode): indexing it
 * would present part of a value as the whole, so the record is a permanent failure (`lob_truncated`).
 */
function refuseTruncatedLob(column: string, value: unknown): void {
  if (typeof value !== "string" || value.length * 3 < LOB_MAX_BYTES) return;
  const bytes = Buffer.byteLength(value);
  if (bytes >= LOB_MAX_BYTES)
    throw new PermanentRecordError(
      "lob_truncated",
      `column ${column}: ${bytes} bytes reaches the DMS LOB limit (LobMaxSize ${LOB_MAX_BYTES / 1024} KB); the value may be truncated`,
    );
}

/**
 * An object or array value (DMS renders json as text; a record written by hand may not) nested deeper
 * than OpenSearch reads a document is a permanent failure (`too_deep`), never a batch that cannot be sent.
 */
function refuseTooDeep(column: string, value: unknown): void {
  if (typeof value !== "object" || value === null) return;
  try {
    checkJsonDepth(value, MAX_JSON_DEPTH - 1);
  } catch (error) {
    throw error instanceof JsonTooDeepError ? tooDeep(column, error) : error;
  }
}

const tooDeep = (column: string, error: JsonTooDeepError) =>
  new PermanentRecordError(
    "too_deep",
    `column ${column}: ${error.message} inside its document; OpenSearch reads documents ${MAX_JSON_DEPTH} levels deep`,
  );

/**
 * The document for a row: excluded columns removed, typed columns coerced, others as DMS sent them.
 * `columns` are the declared columns (their specs, or only their types).
 */
export function buildDocument(
  row: Record<string, unknown>,
  columns: Readonly<Record<string, ColumnSpec | ColumnType>>,
  exclude: ReadonlySet<string>,
): Record<string, unknown> {
  const doc: Record<string, unknown> = {};
  for (const key in row) {
    if (!Object.hasOwn(row, key) || exclude.has(key)) continue;
    const value = row[key];
    refuseTruncatedLob(key, value);
    refuseTooDeep(key, value);
    // A column named `constructor` or `__proto__` is a field like any other (shared/own-properties.ts).
    const spec = ownValue(columns, key);
    setOwn(
      doc,
      key,
      spec === undefined
        ? value
        : typeof spec === "string"
          ? coerceValue(key, spec, value)
          : coerceValue(key, spec.type, value, spec.of),
    );
  }
  return doc;
}
