/**
 * Renders PostgreSQL column values (pgoutput's text form) the way AWS DMS writes them into Kinesis
 * `json-unformatted` records. What DMS does is known from its PostgreSQL source type mapping (DMS types
 * INT2/INT4/INT8, NUMERIC, REAL4/REAL8, BOOLEAN, DATE, DATETIME, WSTRING, NCLOB for text/json/jsonb/arrays,
 * BLOB for bytea) and from records it is known to write; see docs/local-stack.md for the table.
 *
 * - int2/int4/oid -> JSON number; int8 -> JSON number with every digit up to 16 digits (past 2^53 too),
 *   in scientific notation beyond (lossy, as DMS does: the indexer refuses such a value as a key);
 * - float4/float8 -> JSON number (NaN/Infinity as strings); numeric -> string (exact);
 * - bool -> "true" / "false" (varchar(5); a JSON boolean with `MapBooleanAsBoolean`, see shared/dms-settings);
 * - timestamp -> "YYYY-MM-DD HH:MM:SS.ffffff"; timestamptz -> the same in UTC;
 * - json, jsonb, arrays, uuid, text and everything else -> the PostgreSQL text as a string;
 * - bytea -> base64;
 * - LOBs (text, json, jsonb, xml, bytea) longer than the task's `LobMaxSize` are truncated to it, as in
 *   DMS's limited LOB mode.
 */
import { DMS_SOURCE_SETTINGS, LOB_MAX_BYTES } from "../../../shared/dms-settings";

export const PG_TYPE = {
  bool: 16,
  bytea: 17,
  text: 25,
  json: 114,
  xml: 142,
  jsonb: 3802,
  int8: 20,
  int2: 21,
  int4: 23,
  oid: 26,
  float4: 700,
  float8: 701,
  numeric: 1700,
  timestamp: 1114,
  timestamptz: 1184,
} as const;

/** Raw JSON text JSON.stringify writes as is (Node 22+; not yet in TypeScript's ES2024 lib). */
type RawJson = { readonly rawJSON: string };
const rawJSON = (JSON as unknown as { rawJSON(text: string): RawJson }).rawJSON;

/** A value for the record's JSON: plain JSON values, or raw JSON text (scientific notation). */
export type DmsValue = string | number | boolean | null | RawJson;

const MAX_EXACT_DIGITS = 16;

function renderInt8(text: string): DmsValue {
  const digits = text.replace(/^-/, "");
  if (digits.length <= MAX_EXACT_DIGITS) {
    // Written with its digits, as DMS writes an int64; a double holds them only up to 2^53.
    const value = Number(text);
    return Number.isSafeInteger(value) ? value : rawJSON(text);
  }
  const [mantissa, exponent] = Number(text).toExponential(14).split("e");
  const trimmed = (mantissa as string).replace(/\.?0+$/, "");
  return rawJSON(`${trimmed}E${(exponent as string).startsWith("-") ? "" : "+"}${Number(exponent)}`);
}

function renderFloat(text: string): DmsValue {
  const value = Number(text);
  return Number.isFinite(value) ? value : text;
}

export type RenderSettings = { mapBooleanAsBoolean: boolean; lobMaxBytes: number };
export const TASK_RENDERING: RenderSettings = {
  mapBooleanAsBoolean: DMS_SOURCE_SETTINGS.MapBooleanAsBoolean,
  lobMaxBytes: LOB_MAX_BYTES,
};

const LOB_TYPES = new Set<number>([PG_TYPE.text, PG_TYPE.json, PG_TYPE.jsonb, PG_TYPE.xml]);

/** The first `maxBytes` bytes of a UTF-8 text, cut at a character boundary. */
function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length * 3 < maxBytes || Buffer.byteLength(text) <= maxBytes) return text;
  return Buffer.from(text)
    .subarray(0, maxBytes)
    .toString("utf8")
    .replace(/\uFFFD$/, "");
}

export function renderValue(
  text: string | null | undefined,
  typeOid: number,
  settings: RenderSettings = TASK_RENDERING,
): DmsValue {
  if (text === null || text === undefined) return null;
  if (LOB_TYPES.has(typeOid)) return truncateUtf8(text, settings.lobMaxBytes);
  switch (typeOid) {
    case PG_TYPE.int2:
    case PG_TYPE.int4:
    case PG_TYPE.oid:
      return Number(text);
    case PG_TYPE.int8:
      return renderInt8(text);
    case PG_TYPE.float4:
    case PG_TYPE.float8:
      return renderFloat(text);
    case PG_TYPE.bool: {
      const value = text === "t" || text === "true";
      return settings.mapBooleanAsBoolean ? value : String(value);
    }
    case PG_TYPE.timestamptz:
      // The replication session runs with TimeZone=UTC: drop the "+00" suffix.
      return text.replace(/\+00(:00)?$/, "");
    case PG_TYPE.bytea: {
      const bytes = Buffer.from(text.replace(/^\\x/, ""), "hex");
      return bytes.subarray(0, settings.lobMaxBytes).toString("base64");
    }
    default:
      return text;
  }
}
