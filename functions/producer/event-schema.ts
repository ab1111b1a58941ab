/**
 * The business event the producer API accepts, and its validation. Pure: no I/O.
 *
 * `eventHeader` and the top level are strict (unknown fields are errors); `eventBody` and its entities
 * may carry extra fields, which are stored as sent. Ids and kinds (uuid, eventName, eventType,
 * entityType) are identifiers with a restricted alphabet; free text lives in the body. Dates are epoch milliseconds or ISO 8601 with an
 * offset. Every string and key must be well-formed Unicode without NUL (PostgreSQL's jsonb and text
 * reject both), and nesting is bounded.
 */
import { z } from "zod";
import { isKeptNumber } from "../../shared/exact-json";

/**
 * An event id's longest: DMS keys the row's records `public.business_events.<id>`, and Kinesis takes
 * partition keys of at most 256 characters (a longer one is refused, and what DMS then does is not
 * documented), so 256 - 23 = 233.
 */
export const MAX_EVENT_ID_LENGTH = 233;
/** Letters, digits and `. _ : -`, up to 233: safe in a URL path, a log line, an OpenSearch _id and a partition key. */
export const EVENT_ID_PATTERN = new RegExp(`^[A-Za-z0-9][A-Za-z0-9._:-]{0,${MAX_EVENT_ID_LENGTH - 1}}$`);
/** The rule EVENT_ID_PATTERN holds ids to, as the API states it. */
export const EVENT_ID_RULE = `1-${MAX_EVENT_ID_LENGTH} letters, digits or . _ : - (starting with a letter or digit)`;
const MAX_EPOCH_MS = 253_402_300_799_999; // 9999-12-31T23:59:59.999Z
const MAX_DEPTH = 32;

/**
 * A field's wrong kind of value in the API's words: `required` when it is missing, else what it must be
 * (zod's own text is "Invalid input: expected string, received undefined").
 */
const mustBe = (what: string) => ({
  error: (issue: { input?: unknown }) => (issue.input === undefined ? "required" : `must be ${what}`),
});
const between = (min: number, max: number, what: string) =>
  `${min.toLocaleString("en")}-${max.toLocaleString("en")} ${what}`;

/** Event and entity kinds are identifiers (`LoanCreated`, `loan.created`): no spaces, quotes or markup. */
const kind = z
  .string(mustBe("a string"))
  .regex(/^[A-Za-z][A-Za-z0-9._:-]{0,254}$/, "1-255 letters, digits or . _ : - (starting with a letter)");
const name = z
  .string(mustBe("a string"))
  .min(1, between(1, 255, "characters"))
  .max(255, between(1, 255, "characters"))
  .regex(/\S/, "must not be blank");

const isoDateTime = z.iso.datetime({ offset: true });
const isIsoDate = (text: string) => isoDateTime.safeParse(text).success && !Number.isNaN(Date.parse(text));

const eventDate = z.union(
  [
    z.number().int().min(0).max(MAX_EPOCH_MS),
    z.string().refine(isIsoDate, "must be an ISO 8601 date-time with an offset, e.g. 2024-01-15T10:30:00Z"),
  ],
  mustBe("whole epoch milliseconds or an ISO 8601 date-time with an offset"),
);

export const eventHeaderSchema = z.strictObject(
  {
    uuid: z.string(mustBe("a string")).regex(EVENT_ID_PATTERN, EVENT_ID_RULE),
    eventName: kind,
    eventType: kind,
    createdDate: eventDate,
    savedDate: eventDate.optional(),
  },
  mustBe("an object"),
);

export const entitySchema = z.looseObject(
  {
    entityType: kind,
    entityId: name,
    updatedAttributes: z.record(z.string(), z.unknown(), mustBe("an object")),
  },
  mustBe("an object"),
);

export const MAX_ENTITIES = 1_000;

export const businessEventSchema = z.strictObject(
  {
    eventHeader: eventHeaderSchema,
    eventBody: z.looseObject(
      {
        entities: z
          .array(entitySchema, mustBe("an array"))
          .min(1, between(1, MAX_ENTITIES, "entities"))
          .max(MAX_ENTITIES, between(1, MAX_ENTITIES, "entities")),
      },
      mustBe("an object"),
    ),
  },
  mustBe("an object"),
);

export type BusinessEvent = z.infer<typeof businessEventSchema>;

export type FieldIssue = { path: string; message: string };

export type Validation<T> = { ok: true; value: T } | { ok: false; tooLarge: boolean; issues: FieldIssue[] };

/** `events[3].eventHeader.uuid` style paths. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const key of path) {
    if (typeof key === "number") out += `[${key}]`;
    else out += out ? `.${String(key)}` : String(key);
  }
  return out || "(body)";
}

/**
 * Strings and keys that PostgreSQL cannot store (lone surrogates, NUL) and nesting deeper than
 * MAX_DEPTH. Iterative, so a hostile body cannot exhaust the stack.
 */
export function unsafeText(value: unknown, base: PropertyKey[] = []): FieldIssue[] {
  const issues: FieldIssue[] = [];
  const check = (text: string, path: PropertyKey[], what: string) => {
    if (!text.isWellFormed())
      issues.push({ path: formatPath(path), message: `${what} is not well-formed Unicode` });
    else if (text.includes("\u0000"))
      issues.push({ path: formatPath(path), message: `${what} contains NUL` });
  };
  const stack: { value: unknown; path: PropertyKey[] }[] = [{ value, path: base }];
  while (stack.length > 0 && issues.length < 20) {
    const { value: current, path } = stack.pop() as { value: unknown; path: PropertyKey[] };
    if (typeof current === "string") check(current, path, "text");
    // A number kept as written (shared/exact-json.ts) is a leaf, like any number.
    else if (current !== null && typeof current === "object" && !isKeptNumber(current)) {
      if (path.length - base.length >= MAX_DEPTH) {
        issues.push({ path: formatPath(path), message: `nested deeper than ${MAX_DEPTH} levels` });
        continue;
      }
      for (const [key, child] of Object.entries(current)) {
        const childPath = [...path, Array.isArray(current) ? Number(key) : key];
        if (!Array.isArray(current)) check(key, childPath, "key");
        stack.push({ value: child, path: childPath });
      }
    }
  }
  return issues;
}

function zodIssues(error: z.ZodError, base: PropertyKey[]): FieldIssue[] {
  return error.issues.map((issue) => {
    if (issue.code === "unrecognized_keys")
      return {
        path: formatPath([...base, ...issue.path]),
        message: `unknown field(s): ${issue.keys.join(", ")}`,
      };
    return { path: formatPath([...base, ...issue.path]), message: issue.message };
  });
}

/** One event: shape first, then text safety and the stored-size limit. */
export function validateEvent(
  input: unknown,
  maxEventBytes: number,
  base: PropertyKey[] = [],
): Validation<BusinessEvent> {
  const text = unsafeText(input, base);
  if (text.length > 0) return { ok: false, tooLarge: false, issues: text };
  const parsed = businessEventSchema.safeParse(input);
  if (!parsed.success) return { ok: false, tooLarge: false, issues: zodIssues(parsed.error, base) };
  const bytes = Buffer.byteLength(JSON.stringify(parsed.data));
  if (bytes > maxEventBytes)
    return {
      ok: false,
      tooLarge: true,
      issues: [{ path: formatPath(base), message: `event is ${bytes} bytes; the limit is ${maxEventBytes}` }],
    };
  return { ok: true, value: parsed.data };
}

/** A batch `{ "events": [ ... ] }`: valid only if every event is (all-or-nothing). */
export function validateBatch(
  input: unknown,
  limits: { maxEventBytes: number; maxBatchEvents: number },
): Validation<BusinessEvent[]> {
  const count = between(1, limits.maxBatchEvents, "events");
  const envelope = z
    .strictObject(
      { events: z.array(z.unknown(), mustBe("an array")).min(1, count).max(limits.maxBatchEvents, count) },
      mustBe("an object"),
    )
    .safeParse(input);
  if (!envelope.success) return { ok: false, tooLarge: false, issues: zodIssues(envelope.error, []) };
  const issues: FieldIssue[] = [];
  const events: BusinessEvent[] = [];
  let invalid = 0;
  let oversized = 0;
  envelope.data.events.forEach((item, index) => {
    const result = validateEvent(item, limits.maxEventBytes, ["events", index]);
    if (result.ok) events.push(result.value);
    else {
      issues.push(...result.issues);
      invalid++;
      if (result.tooLarge) oversized++;
    }
  });
  // 413 only when size is the sole problem; any shape error makes it a 400.
  if (invalid > 0) return { ok: false, tooLarge: oversized === invalid, issues };
  return { ok: true, value: events };
}
