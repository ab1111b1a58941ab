/**
 * Parses one Kinesis record's data as an AWS DMS target message (`json-unformatted`, one document per
 * record, possibly newline-terminated; pretty-printed `json` is accepted too).
 */

import { z } from "zod";
import { PermanentRecordError } from "../../shared/errors";
import { JsonTooDeepError, MAX_JSON_DEPTH, parseJsonBothWays } from "../../shared/exact-json";
import { issueLines } from "../../shared/zod-issues";
import { parseTimestampMicros } from "./timestamps";

const id = z.union([z.string(), z.number()]);
const metadataSchema = z
  .object({
    timestamp: z.string(),
    "record-type": z.string(),
    operation: z.string(),
    "partition-key-type": z.string().optional(),
    "schema-name": z.string(),
    "table-name": z.string(),
    "transaction-id": id.optional(),
    "commit-timestamp": z.union([z.string(), z.number()]).optional(),
    "transaction-record-id": id.optional(),
    "prev-transaction-id": id.optional(),
    "stream-position": z.string().optional(),
  })
  .passthrough();

const row = z.record(z.string(), z.unknown());
const messageSchema = z
  .object({ data: row.optional(), "before-image": row.optional(), metadata: metadataSchema })
  .passthrough();

type Metadata = z.infer<typeof metadataSchema>;
type Message = z.infer<typeof messageSchema>;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);
const optionalString = (v: unknown) => v === undefined || typeof v === "string";
const optionalId = (v: unknown) => v === undefined || typeof v === "string" || typeof v === "number";

/**
 * The schema's checks without building a copy, for the hot path: true exactly when `messageSchema`
 * accepts the value (tested against it); anything else goes through zod for its error message.
 */
function isDmsMessageShape(json: unknown): json is Message {
  if (!isObject(json)) return false;
  const m = json.metadata;
  if (!isObject(m)) return false;
  if (
    typeof m.timestamp !== "string" ||
    typeof m["record-type"] !== "string" ||
    typeof m.operation !== "string" ||
    typeof m["schema-name"] !== "string" ||
    typeof m["table-name"] !== "string"
  )
    return false;
  if (!optionalString(m["partition-key-type"]) || !optionalString(m["stream-position"])) return false;
  if (
    !optionalId(m["transaction-id"]) ||
    !optionalId(m["commit-timestamp"]) ||
    !optionalId(m["transaction-record-id"]) ||
    !optionalId(m["prev-transaction-id"])
  )
    return false;
  return (
    (json.data === undefined || isObject(json.data)) &&
    (json["before-image"] === undefined || isObject(json["before-image"]))
  );
}

export const DATA_OPERATIONS = ["load", "insert", "update", "delete"] as const;
export type DataOperation = (typeof DATA_OPERATIONS)[number];

/**
 * Where a change sits in the source's commit order: the basis of its document version. Full-load records
 * have none: DMS reads them from a snapshot and stamps them when it builds the message, which is later
 * than the commits of the changes cached during the load (delivered after them). They are a `snapshot`.
 */
export type CommitPosition =
  | {
      kind: "commit";
      /** Commit time in microseconds since the Unix epoch. */
      micros: bigint;
      /** Offset of the record within its transaction; 0 when unknown. */
      recordOffset: number;
      /** True when transaction details were absent and `metadata.timestamp` was used instead. */
      fromRecordTimestamp: boolean;
    }
  | { kind: "snapshot" };

export type DmsChange = {
  kind: "change";
  operation: DataOperation;
  schema: string;
  table: string;
  row: Record<string, unknown>;
  before: Record<string, unknown> | undefined;
  position: CommitPosition;
};
export type DmsControl = { kind: "control"; operation: string; schema: string; table: string };
export type DmsMessage = DmsChange | DmsControl;

/** Exposed for the test that keeps the hand-written shape check equal to the schema. */
export const dmsMessageShape = { schema: messageSchema, isShape: (json: unknown) => isDmsMessageShape(json) };

/**
 * Whether a row holds a number a double may not have read exactly: DMS writes an int8 past 2^53 (up to 16
 * digits) as a JSON number with every digit. Other numbers DMS writes are doubles already (float4/8) or
 * safe integers; numeric is a string.
 */
function holdsInexactNumber(row: Record<string, unknown> | undefined): boolean {
  if (row === undefined) return false;
  for (const key in row) {
    const value = row[key];
    if (typeof value === "number" && !(Math.abs(value) <= Number.MAX_SAFE_INTEGER)) return true;
  }
  return false;
}

function readKeepingDigits(text: string): Message | undefined {
  try {
    // As written: besides digits a double would lose, a number DMS wrote in scientific notation (an int8
    // of 17+ digits, already without its last digits) stays recognisable, so an integer column refuses it.
    return parseJsonBothWays(text.trim(), MAX_JSON_DEPTH, "inexact-or-exponent").exact as Message;
  } catch (error) {
    if (error instanceof JsonTooDeepError) return undefined;
    throw error;
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return JSON.parse(text.trim());
  }
}

export function parseDmsMessage(payload: Buffer | string): DmsMessage {
  const text = typeof payload === "string" ? payload : payload.toString("utf8");
  let json: unknown;
  try {
    // JSON.parse skips JSON's own whitespace (DMS's newline); only text it refuses is trimmed of the rest
    // (a BOM, other Unicode spaces) and parsed again, so the accepted set and the errors are unchanged.
    json = parseJson(text);
  } catch (cause) {
    throw new PermanentRecordError("invalid_json", `record data is not JSON: ${(cause as Error).message}`, {
      cause,
    });
  }
  let message: Message;
  if (isDmsMessageShape(json)) message = json;
  else {
    const parsed = messageSchema.safeParse(json);
    if (!parsed.success) {
      const issues = issueLines(parsed.error).join("; ");
      throw new PermanentRecordError("invalid_dms_message", `not a DMS message: ${issues}`);
    }
    message = parsed.data;
  }
  const { metadata: m } = message;
  let { data, "before-image": before } = message;
  if (holdsInexactNumber(data) || holdsInexactNumber(before)) {
    // Read again with those numbers kept as written (shared/exact-json.ts): an int8 past 2^53 keeps its
    // digits in the document and as a key. The shape is the same; only the numbers differ. A record too
    // deep for that reading keeps its plain values: the document builder refuses it (`too_deep`).
    const exact = readKeepingDigits(text);
    if (exact) {
      data = exact.data;
      before = exact["before-image"];
    }
  }
  const schema = m["schema-name"];
  const table = m["table-name"];
  if (m["record-type"] === "control") return { kind: "control", operation: m.operation, schema, table };
  if (m["record-type"] !== "data") {
    throw new PermanentRecordError("unknown_record_type", `unknown record-type "${m["record-type"]}"`);
  }
  if (!(DATA_OPERATIONS as readonly string[]).includes(m.operation)) {
    throw new PermanentRecordError(
      "unknown_operation",
      `unknown operation "${m.operation}" for ${schema}.${table}`,
    );
  }
  if (!data)
    throw new PermanentRecordError(
      "missing_data",
      `${m.operation} record for ${schema}.${table} has no data`,
    );
  return {
    kind: "change",
    operation: m.operation as DataOperation,
    schema,
    table,
    row: data,
    before,
    position: commitPosition(m),
  };
}

function commitPosition(m: Metadata): CommitPosition {
  if (m.operation === "load") return { kind: "snapshot" };
  const commit = m["commit-timestamp"];
  const offset = Number(m["transaction-record-id"] ?? 0);
  const recordOffset = Number.isSafeInteger(offset) && offset >= 0 ? offset : 0;
  if (commit !== undefined) {
    const micros =
      typeof commit === "number" ? BigInt(Math.trunc(commit)) * 1000n : parseTimestampMicros(commit);
    if (micros !== undefined) return { kind: "commit", micros, recordOffset, fromRecordTimestamp: false };
  }
  const micros = parseTimestampMicros(m.timestamp);
  if (micros === undefined) {
    throw new PermanentRecordError(
      "invalid_timestamp",
      `metadata.timestamp "${m.timestamp}" is not a timestamp`,
    );
  }
  return { kind: "commit", micros, recordOffset, fromRecordTimestamp: true };
}
