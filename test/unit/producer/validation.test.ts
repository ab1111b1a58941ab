/** Event validation rules that the HTTP tests do not reach one by one. */
import { describe, expect, it } from "vitest";
import { toRow } from "../../../functions/producer/event-row";
import {
  formatPath,
  MAX_EVENT_ID_LENGTH,
  unsafeText,
  validateBatch,
  validateEvent,
} from "../../../functions/producer/event-schema";
import { parseJsonKeepingDigits } from "../../../shared/exact-json";
import { businessEvent } from "../../helpers/http";

describe("validateEvent", () => {
  it("accepts the sample event and maps its header to columns", () => {
    const result = validateEvent(businessEvent({}, "abc-1"), 262_144);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(toRow(result.value)).toMatchObject({
      id: "abc-1",
      eventName: "LoanCreated",
      eventType: "LoanCreated",
      createdDate: new Date("2024-01-15T10:30:00Z"),
      savedDate: new Date("2024-01-15T10:30:05Z"),
    });
  });

  it.each([
    ["2024-02-30T10:00:00Z", false],
    ["2024-01-15T10:30:00.123456+05:30", true],
    ["2024-01-15 10:30:00Z", false],
    ["1705314600000", false],
    [253_402_300_799_999, true],
    [253_402_300_800_000, false],
  ])("createdDate %s valid: %s", (createdDate, valid) => {
    expect(validateEvent(businessEvent({ createdDate }), 262_144).ok).toBe(valid);
  });

  it("takes ids whose DMS partition key (public.business_events.<id>) fits Kinesis's 256 characters", () => {
    const longest = `a${"b".repeat(MAX_EVENT_ID_LENGTH - 1)}`;
    expect(`public.business_events.${longest}`.length).toBe(256);
    expect(validateEvent(businessEvent({}, longest), 262_144).ok).toBe(true);
    const tooLong = validateEvent(businessEvent({}, `${longest}c`), 262_144);
    expect(tooLong).toMatchObject({ ok: false });
    expect(JSON.stringify(tooLong)).toContain("1-233 letters, digits or . _ : -");
  });

  it("keeps extra fields in eventBody and entities, as sent", () => {
    const event = businessEvent();
    const withExtras = {
      ...event,
      eventBody: {
        ...event.eventBody,
        source: "branch-7",
        entities: [{ ...event.eventBody.entities[0], note: "x" }],
      },
    };
    const result = validateEvent(withExtras, 262_144);
    expect(result.ok && result.value).toEqual(withExtras);
  });

  it("names each problem in the API's words: a missing field is required, a wrong one says what it must be", () => {
    const issues = (input: unknown) => {
      const result = validateEvent(input, 262_144);
      return result.ok ? [] : result.issues.map((i) => `${i.path}: ${i.message}`);
    };
    const event = businessEvent();
    const { eventType: _, ...withoutType } = event.eventHeader;
    expect(issues({ ...event, eventHeader: withoutType })).toEqual(["eventHeader.eventType: required"]);
    expect(issues({ eventHeader: { ...event.eventHeader, uuid: 7, createdDate: undefined } })).toEqual([
      "eventHeader.uuid: must be a string",
      "eventHeader.createdDate: required",
      "eventBody: required",
    ]);
    expect(issues({ ...event, eventBody: { entities: [] } })).toEqual([
      "eventBody.entities: 1-1,000 entities",
    ]);
    expect(issues({ ...event, eventBody: { entities: {} } })).toEqual([
      "eventBody.entities: must be an array",
    ]);
    const entity = { entityType: "Loan", entityId: "l-1", updatedAttributes: [] };
    expect(issues({ ...event, eventBody: { entities: [entity] } })).toEqual([
      "eventBody.entities[0].updatedAttributes: must be an object",
    ]);
    expect(issues({ ...event, eventHeader: { ...event.eventHeader, createdDate: true } })).toEqual([
      "eventHeader.createdDate: must be whole epoch milliseconds or an ISO 8601 date-time with an offset",
    ]);
    expect(issues("event")).toEqual(["(body): must be an object"]);
  });

  it("flags size separately from shape", () => {
    const result = validateEvent(businessEvent(), 100);
    expect(result).toMatchObject({ ok: false, tooLarge: true });
  });
});

describe("unsafeText", () => {
  it("finds lone surrogates and NUL in values and keys, with their paths", () => {
    expect(unsafeText({ a: ["ok", "bad\ud800"], "k\u0000": 1 })).toEqual([
      { path: "k\u0000", message: "key contains NUL" },
      { path: "a[1]", message: "text is not well-formed Unicode" },
    ]);
  });

  it("stops at 32 levels without recursion, however deep the input", () => {
    let deep: unknown = "leaf";
    for (let i = 0; i < 100_000; i++) deep = [deep];
    const issues = unsafeText(deep);
    expect(issues).toHaveLength(1);
    expect(issues[0]?.message).toBe("nested deeper than 32 levels");
  });
});

describe("unsafeText on numbers kept as written", () => {
  it("takes them for the numbers they are: no level deeper at the deepest level", () => {
    const at = (depth: number, leaf: string) =>
      parseJsonKeepingDigits(`${"[".repeat(depth)}${leaf}${"]".repeat(depth)}`);
    expect(unsafeText(at(32, "1"))).toEqual([]);
    expect(unsafeText(at(32, "12345678901234567.891"))).toEqual([]);
    expect(unsafeText(at(33, "12345678901234567.891"))).toHaveLength(1);
  });
});

describe("validateBatch", () => {
  const limits = { maxEventBytes: 262_144, maxBatchEvents: 3 };
  it("is 413 only when size is the only problem", () => {
    const small = { maxEventBytes: 200, maxBatchEvents: 3 };
    expect(validateBatch({ events: [businessEvent()] }, small)).toMatchObject({ ok: false, tooLarge: true });
    expect(validateBatch({ events: [businessEvent(), { eventHeader: {} }] }, small)).toMatchObject({
      ok: false,
      tooLarge: false,
    });
  });
  it("refuses an empty batch, too many events and unknown envelope fields", () => {
    expect(validateBatch({ events: [] }, limits).ok).toBe(false);
    expect(validateBatch({ events: Array.from({ length: 4 }, () => businessEvent()) }, limits).ok).toBe(
      false,
    );
    expect(validateBatch({ events: [businessEvent()], dryRun: true }, limits).ok).toBe(false);
    expect(validateBatch({ events: [businessEvent()] }, limits).ok).toBe(true);
    expect(validateBatch({ events: [] }, limits)).toMatchObject({
      issues: [{ path: "events", message: "1-3 events" }],
    });
    expect(validateBatch({}, limits)).toMatchObject({ issues: [{ path: "events", message: "required" }] });
  });
});

it("formatPath writes indexes in brackets", () => {
  expect(formatPath(["events", 3, "eventHeader", "uuid"])).toBe("events[3].eventHeader.uuid");
  expect(formatPath([])).toBe("(body)");
});
