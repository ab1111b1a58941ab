/**
 * A validated business event as a `business_events` row: flat columns from its header, the event as
 * JSONB. Header dates are stored as epoch milliseconds whichever form they came in, so that every
 * stored event has one shape for its header (the search index maps each field once) and the same
 * instant sent as ISO 8601 or as epoch milliseconds is the same event. Pure.
 */
import type { BusinessEvent } from "./event-schema";

export type EventRow = {
  id: string;
  eventName: string;
  eventType: string;
  createdDate: Date;
  savedDate: Date | null;
  /** The event stored in `event_data`: as sent, header dates in epoch milliseconds. */
  eventData: BusinessEvent;
};

export function toDate(value: number | string): Date {
  return new Date(typeof value === "number" ? value : Date.parse(value));
}

export function toRow(event: BusinessEvent): EventRow {
  const header = event.eventHeader;
  const createdDate = toDate(header.createdDate);
  const savedDate = header.savedDate === undefined ? null : toDate(header.savedDate);
  return {
    id: header.uuid,
    eventName: header.eventName,
    eventType: header.eventType,
    createdDate,
    savedDate,
    eventData: {
      ...event,
      eventHeader: {
        ...header,
        createdDate: createdDate.getTime(),
        ...(savedDate && { savedDate: savedDate.getTime() }),
      },
    },
  };
}
