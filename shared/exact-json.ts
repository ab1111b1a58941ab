/**
 * Numbers written with more precision than a double keeps. `JSON.parse` rounds `12345678901234567.891`
 * to 12345678901234568 and `1e400` to Infinity (which `JSON.stringify` writes as null): a json column
 * holding such a number would reach the index changed. `parseJsonKeepingDigits` keeps each such number
 * as `JSON.rawJSON` of its text, which `JSON.stringify` writes back exactly as it was written.
 */

type RawJson = { readonly rawJSON: string };
const json = JSON as unknown as JSON & {
  rawJSON(text: string): RawJson;
  isRawJSON(value: unknown): value is RawJson;
};

/** Significant digits of a decimal text (`0012.3400e5` has 4): from the first to the last non-zero digit. */
export function significantDigits(text: string): number {
  let first = -1;
  let last = -1;
  let count = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 101 || c === 69) break; // e, E: the exponent is not part of the mantissa
    if (c < 48 || c > 57) continue; // sign, point
    if (c !== 48) {
      if (first === -1) first = count;
      last = count;
    }
    count++;
  }
  return first === -1 ? 0 : last - first + 1;
}

/**
 * True when the double a JSON number text parses to has exactly the text's decimal value to within
 * 15 significant digits (what a double always keeps) and is a normal double: the text then reads back
 * the same. Anything else (more digits, overflow to Infinity, underflow) may have changed. An integer
 * written past 2^53 is changed even with fewer digits: `1788940491366180000` reads back the same, but
 * its double is 1788940491366180096, so code that takes it as an integer (a 64-bit document version,
 * a `long`) needs its text.
 */
export function keepsItsValue(text: string, value: number): boolean {
  const digits = significantDigits(text);
  if (!Number.isFinite(value) || digits > 15) return false;
  if (!Number.isSafeInteger(value) && INTEGER_TEXT.test(text)) return false;
  return value === 0 ? digits === 0 : Math.abs(value) >= 2 ** -1022; // the smallest normal double
}

const INTEGER_TEXT = /^-?\d+$/;

/**
 * Where a number might not keep its value: a run of 16 digits and points, or an exponent of 3 digits.
 * Every such number matches (a mantissa of 16+ digits is such a run; an exponent of 2 digits on a mantissa
 * of at most 15 stays between 1e-114 and 1e115); text inside strings may too, which only costs a re-parse.
 */
const MAY_NOT_KEEP = /\d[\d.]{15}|[eE][+-]?\d\d\d/;

/**
 * How deep JSON may nest: OpenSearch refuses a document nested deeper than 1000 levels
 * (`opensearch.xcontent.depth.max`, Jackson's StreamReadConstraints), and a few thousand levels already
 * overflow the stack of `JSON.stringify`. Each object or array is a level; a document's root is level 1.
 */
export const MAX_JSON_DEPTH = 1000;

export class JsonTooDeepError extends Error {
  override name = "JsonTooDeepError";
  constructor(readonly maxDepth: number) {
    super(`nested deeper than ${maxDepth} levels`);
  }
}

/** Whether the value holds a number; throws JsonTooDeepError past maxDepth (so the walk is bounded). */
function walk(value: unknown, depth: number, maxDepth: number): boolean {
  if (typeof value === "number") return true;
  if (typeof value !== "object" || value === null) return false;
  if (depth > maxDepth) throw new JsonTooDeepError(maxDepth);
  let numbers = false;
  if (Array.isArray(value)) {
    for (const item of value) if (walk(item, depth + 1, maxDepth)) numbers = true;
  } else
    for (const key in value)
      if (walk((value as Record<string, unknown>)[key], depth + 1, maxDepth)) numbers = true;
  return numbers;
}

/** Throws JsonTooDeepError when a parsed value nests deeper than maxDepth levels. */
export function checkJsonDepth(value: unknown, maxDepth = MAX_JSON_DEPTH): void {
  walk(value, 1, maxDepth);
}

/**
 * `JSON.parse`, the same accepted texts and errors, with every number that a double would change kept as
 * its text (`JSON.rawJSON`). Text without such numbers costs one walk over the parsed value on top (and, when
 * it holds numbers, one regular-expression test of the text). JSON
 * nested deeper than maxDepth throws JsonTooDeepError.
 */
export function parseJsonKeepingDigits(text: string, maxDepth = MAX_JSON_DEPTH): unknown {
  return parseJsonBothWays(text, maxDepth).exact;
}

/**
 * Both readings of a JSON text: `value` as `JSON.parse` gives it (numbers as doubles, for code that
 * computes with them) and `exact` with the numbers a double would change kept as their text (for what
 * is written back out). They are the same object when no number needed keeping.
 */
export function parseJsonBothWays(
  text: string,
  maxDepth = MAX_JSON_DEPTH,
  /**
   * `inexact`: keep the numbers a double would change. `inexact-or-exponent`: those, and an integer past
   * 2^53 written with an exponent (DMS writes an int8 of 17+ digits so, without its last digits: kept,
   * it stays recognisable as such). `as-written`: keep every number JSON.stringify would write otherwise
   * (`2.0`, `1e3`, `1.50`, `-0` too), for a store that answers documents as sent.
   */
  keep: "inexact" | "inexact-or-exponent" | "as-written" = "inexact",
): { value: unknown; exact: unknown } {
  const value: unknown = JSON.parse(text);
  const asWritten = keep === "as-written";
  const exponents = keep === "inexact-or-exponent";
  // The walk first: a value without numbers needs no look at its text.
  if (!walk(value, 1, maxDepth)) return { value, exact: value };
  if (
    !MAY_NOT_KEEP.test(text) &&
    !(asWritten && NOT_AS_STRINGIFIED.test(text)) &&
    !(exponents && /[eE]/.test(text))
  )
    return { value, exact: value };
  let kept = false;
  const exact: unknown = JSON.parse(text, ((_key: string, v: unknown, context?: { source?: string }) => {
    if (typeof v !== "number" || context?.source === undefined) return v;
    const keeps = asWritten
      ? String(v) === context.source
      : keepsItsValue(context.source, v) &&
        !(exponents && !Number.isSafeInteger(v) && Number.isInteger(v) && /[eE]/.test(context.source));
    if (keeps) return v;
    kept = true;
    return json.rawJSON(context.source);
  }) as (key: string, value: unknown) => unknown);
  return { value, exact: kept ? exact : value };
}

/**
 * Where a number may be written otherwise than JSON.stringify writes it (its shortest form): an exponent,
 * a fraction ending in 0, a negative zero. With MAY_NOT_KEEP, every such number matches; text in strings
 * may too, which only costs a re-parse.
 */
const NOT_AS_STRINGIFIED = /[eE]|\.\d*0(?!\d)|-0(?![.\d])/;

/**
 * Whether a JSON text may hold a number a double would change (a cheap test of the text, no parse): when
 * false, `JSON.parse` reads every number of it exactly.
 */
export const mayHoldInexactNumbers = (text: string): boolean => MAY_NOT_KEEP.test(text);

/** A number kept as its text by parseJsonKeepingDigits. */
export const isKeptNumber = (value: unknown): value is RawJson => json.isRawJSON(value);
