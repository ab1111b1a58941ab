/**
 * The timestamp hot path (DMS's canonical form read digit by digit) gives exactly what the general
 * pattern gives, for generated timestamps in and out of range: same epoch, microseconds, fraction and
 * ISO text, and the same refusals. A fast path that drifted (a leap day, a 9-digit fraction, a year
 * below 100) fails here.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { isoOf, parseGeneral, parseTimestamp, toIsoUtc } from "../../../functions/indexer/timestamps";
import { calendarText, calendarTime } from "../../helpers/calendar";

const pad = (n: number, width: number) => String(n).padStart(width, "0");
const timestampText = fc
  .record({
    y: fc.oneof(fc.integer({ min: 1, max: 9999 }), fc.constantFrom(1970, 2000, 2024, 2026, 2100, 1900)),
    mo: fc.integer({ min: 0, max: 13 }),
    d: fc.integer({ min: 0, max: 32 }),
    h: fc.integer({ min: 0, max: 25 }),
    mi: fc.integer({ min: 0, max: 61 }),
    s: fc.integer({ min: 0, max: 61 }),
    fraction: fc.option(fc.stringMatching(/^\d{1,10}$/), { nil: undefined }),
    sep: fc.constantFrom(" ", "T", "t"),
    zone: fc.constantFrom("", "Z", "z", "+02:00", "-0530", " ", "ZZ"),
  })
  .map(
    ({ y, mo, d, h, mi, s, fraction, sep, zone }) =>
      `${pad(y, 4)}-${pad(mo, 2)}-${pad(d, 2)}${sep}${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}${fraction === undefined ? "" : `.${fraction}`}${zone}`,
  );

describe("timestamp fast path", () => {
  it("agrees with the general pattern on every generated timestamp", () => {
    fc.assert(
      fc.property(timestampText, (text) => {
        expect(parseTimestamp(text)).toEqual(parseGeneral(text));
        expect(toIsoUtc(text)).toBe(isoOf(parseGeneral(text)));
      }),
      { numRuns: 5000 },
    );
  });

  it("reads every valid timestamp as the calendar does, years below 100 too (Date.UTC reads 0001 as 1901)", () => {
    const valid = fc.record({
      time: calendarTime,
      sep: fc.constantFrom(" ", "T"),
      zone: fc.constantFrom("", "Z", "+02:00"),
    });
    fc.assert(
      fc.property(valid, ({ time, sep, zone }) => {
        const { y, mo, d, h, mi, s } = time;
        const text = `${calendarText(time, sep)}${zone}`;
        // An independent reading: setUTCFullYear takes the year as written.
        const oracle = new Date(0);
        oracle.setUTCFullYear(y, mo - 1, d);
        oracle.setUTCHours(h, mi - (zone === "+02:00" ? 120 : 0), s, 0);
        expect(parseTimestamp(text)?.epochMillis, text).toBe(oracle.getTime());
        expect(parseGeneral(text)?.epochMillis, text).toBe(oracle.getTime());
        expect(toIsoUtc(text), text).toBe(`${oracle.toISOString().slice(0, 19)}Z`);
      }),
      { numRuns: 3000 },
    );
  });

  it("agrees on the edges: leap days, a year below 100, nine fraction digits, trailing junk", () => {
    for (const text of [
      "2024-02-29 23:59:59.999999",
      "2023-02-29 00:00:00",
      "2100-02-29 00:00:00",
      "0050-01-01 00:00:00",
      "2026-11-21 09:15:02.123456789",
      "2026-11-21 09:15:02.1234567890",
      "2026-11-21T09:15:02Z",
      "2026-11-21 09:15:02 ",
      "2026-11-21 24:00:00",
      "2026-11-21 09:15:60",
    ]) {
      expect(parseTimestamp(text), text).toEqual(parseGeneral(text));
      expect(toIsoUtc(text), text).toBe(isoOf(parseGeneral(text)));
    }
  });
});
