/** Timestamp parsing that keeps microseconds (Date.parse keeps only milliseconds). */

const TIMESTAMP =
  /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;

export type ParsedTimestamp = { epochMillis: number; micros: bigint; fraction: string };

/** Parses ISO 8601 / PostgreSQL text timestamps; no zone means UTC (DMS renders UTC). */
export function parseTimestamp(text: string): ParsedTimestamp | undefined {
  const m = TIMESTAMP.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = "0", mi = "0", s = "0", frac = "", zone] = m;
  let offsetMinutes = 0;
  if (zone && zone.toUpperCase() !== "Z") {
    const sign = zone.startsWith("-") ? -1 : 1;
    const digits = zone.slice(1).replace(":", "");
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0));
  }
  const base = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(base)) return undefined;
  const check = new Date(base);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1) return undefined;
  const epochSeconds = (base - offsetMinutes * 60_000) / 1000;
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
  const t = parseTimestamp(text);
  if (!t) return undefined;
  const seconds = new Date(Math.floor(t.epochMillis / 1000) * 1000).toISOString().slice(0, 19);
  return `${seconds}${t.fraction ? `.${t.fraction}` : ""}Z`;
}
