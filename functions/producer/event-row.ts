/** A validated business event as a `business_events` row: flat columns from its header, the event as JSONB. Pure. */
import type { BusinessEvent } from "./event-schema";

export type EventRow = {
  id: string;
  eventName: string;
  eventType: string;
  createdDate: Date;
  savedDate: Date | null;
  /** The event as sent (after validation), stored in `event_data`. */
  eventData: BusinessEvent;
};

export function toDate(value: number | string): Date {
  return new Date(typeof value === "number" ? value : Date.parse(value));
}

export function toRow(event: BusinessEvent): EventRow {
  const header = event.eventHeader;
  return {
    id: header.uuid,
    eventName: header.eventName,
    eventType: header.eventType,
    createdDate: toDate(header.createdDate),
    savedDate: header.savedDate === undefined ? null : toDate(header.savedDate),
    eventData: event,
  };
}
