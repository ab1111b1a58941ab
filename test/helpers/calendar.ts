/** Generated calendar times for property tests: any year PostgreSQL writes with four digits. */
import fc from "fast-check";

/** A valid date and time of day (days to 28, so every month has them), years 0001-9999. */
export const calendarTime = fc.record({
  y: fc.integer({ min: 1, max: 9999 }),
  mo: fc.integer({ min: 1, max: 12 }),
  d: fc.integer({ min: 1, max: 28 }),
  h: fc.integer({ min: 0, max: 23 }),
  mi: fc.integer({ min: 0, max: 59 }),
  s: fc.integer({ min: 0, max: 59 }),
});

export const pad = (n: number | bigint, width: number) => String(n).padStart(width, "0");

/** `YYYY-MM-DD<sep>HH:MM:SS`, as PostgreSQL writes the time's parts. */
export const calendarText = (
  t: { y: number; mo: number; d: number; h: number; mi: number; s: number },
  sep = " ",
) => `${pad(t.y, 4)}-${pad(t.mo, 2)}-${pad(t.d, 2)}${sep}${pad(t.h, 2)}:${pad(t.mi, 2)}:${pad(t.s, 2)}`;
