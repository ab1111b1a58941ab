/**
 * Timestamp parsing that keeps microseconds (Date.parse keeps only milliseconds). The form DMS writes
 * (`2026-11-21 09:15:02.123456`, or ISO with `T` and `Z`) is read digit by digit on the hot path; any
 * other form, or a value out of range, goes through the general pattern with the same results.
 */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type ParsedTimestamp = { epochMillis: number; micros: bigint; fraction: string };

const digitAt = (text: string, i: number) => {
  const c = text.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};

function digits(text: string, from: number, count: number): number {
  let value = 0;
  for (let i = from; i < from + count; i++) {
    const d = digitAt(text, i);
    if (d < 0) return -1;
    value = value * 10 + d;
  }
  return value;
}

const daysInMonth = (y: number, m: number) =>
  m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/**
 * `YYYY-MM-DD[T ]HH:MM:SS[.fraction][Z]` in range, as whole seconds and the fraction's digits (up to 6);
 * undefined for anything else (the general path). No BigInt here: toIsoUtc needs none.
 */
function parseCanonical(text: string): { epochSeconds: number; fraction: string } | undefined {
  const n = text.length;
  if (n < 19 || text[4] !== "-" || text[7] !== "-" || text[13] !== ":" || text[16] !== ":") return undefined;
  const sep = text[10];
  if (sep !== " " && sep !== "T" && sep !== "t") return undefined;
  const y = digits(text, 0, 4);
  const mo = digits(text, 5, 2);
  const d = digits(text, 8, 2);
  const h = digits(text, 11, 2);
  const mi = digits(text, 14, 2);
  const s = digits(text, 17, 2);
  if (y < 1 || mo < 1 || mo > 12 || d < 1 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59)
    return undefined;
  if (d > daysInMonth(y, mo)) return undefined;
  let at = 19;
  let fraction = "";
  if (text[at] === ".") {
    let end = at + 1;
    while (end < n && digitAt(text, end) >= 0) end++;
    const length = end - at - 1;
    if (length < 1 || length > 9) return undefined;
    fraction = text.slice(at + 1, Math.min(end, at + 7));
    at = end;
  }
  if (at < n && !(at === n - 1 && (text[at] === "Z" || text[at] === "z"))) return undefined;
  return { epochSeconds: daysFromCivil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s, fraction };
}

/** Parses ISO 8601 / PostgreSQL text timestamps; no zone means UTC (DMS renders UTC). */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const fast = parseCanonical(text);
  if (!fast) return parseGeneral(text);
  const padded = fast.fraction.padEnd(6, "0");
  return {
    epochMillis: fast.epochSeconds * 1000 + Number(padded.slice(0, 3)),
    micros: BigInt(fast.epochSeconds) * 1_000_000n + BigInt(padded),
    fraction: fast.fraction,
  };
}

/** The general path (any accepted form); the fast path must agree with it (tested). */
export function parseGeneral(text: string): ParsedTimestamp | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
  }
  // Calendar arithmetic, not Date.UTC, which reads a year below 100 as 1900 + year (0001 became 1901).
  const [year, month, day] = [Number(y), Number(mo), Number(d)];
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  // A time past the day's end (24:00, 23:60:00) is not rolled into the next day; 10:60 is 11:00.
  const secondOfDay = Number(h) * 3600 + Number(mi) * 60 + Number(s);
  if (secondOfDay >= 86_400) return undefined;
  const epochSeconds = daysFromCivil(year, month, day) * 86_400 + secondOfDay - offsetMinutes * 60;
  const fraction = frac.slice(0, 6);
  const micros = BigInt(epochSeconds) * 1_000_000n + BigInt(fraction.padEnd(6, "0") || "0");
  return {
    epochMillis: epochSeconds * 1000 + Number(fraction.padEnd(6, "0").slice(0, 3) || 0),
    micros,
    fraction,
  };
}

export function parseTimestampMicros(text: string): bigint | undefined {
  return parseTimestamp(text)?.micros;
}

/** ISO 8601 UTC, keeping up to microsecond precision: `2024-05-01T10:00:00.123456Z`. */
export function toIsoUtc(text: string): string | undefined {
  // The canonical form is already the ISO date and time: only the separator and the zone change.
  const fast = parseCanonical(text);
  if (fast) return `${text.slice(0, 10)}T${text.slice(11, 19)}${fast.fraction ? `.${fast.fraction}` : ""}Z`;
  return isoOf(parseGeneral(text));
}

/** ISO text of a parsed timestamp (the general path of toIsoUtc). */
export function isoOf(t: ParsedTimestamp | undefined): string | undefined {
  if (!t) return undefined;
  const seconds = new Date(Math.floor(t.epochMillis / 1000) * 1000).toISOString().slice(0, 19);
  return `${seconds}${t.fraction ? `.${t.fraction}` : ""}Z`;
}
