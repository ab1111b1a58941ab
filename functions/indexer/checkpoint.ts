/**
 * The batch's acknowledgement rule, pure. Lambda re-delivers every record from the lowest reported
 * sequence number on, so:
 * - a permanent failure is dead-lettered only if it lies before the lowest record that will be retried
 *   (one after it will be delivered again, and dead-lettering it now would send it twice);
 * - the batch reports the lowest sequence number that is neither done nor safely in the DLQ.
 * Powertools isolates the same logic (`collectKinesisFailures`); here it also decides the DLQ.
 */
export type RecordStatus = "done" | "retry" | "permanent" | "dead-lettered";
export type RecordCheckpoint = { sequenceNumber: string; status: RecordStatus };

/** The lowest sequence number among records with one of these statuses (numeric order). */
function lowest(records: RecordCheckpoint[], statuses: RecordStatus[]): string | undefined {
  let min: bigint | undefined;
  let text: string | undefined;
  for (const r of records) {
    if (!statuses.includes(r.status)) continue;
    const seq = BigInt(r.sequenceNumber);
    if (min === undefined || seq < min) {
      min = seq;
      text = r.sequenceNumber;
    }
  }
  return text;
}

/** Positions of the permanent failures to dead-letter now: those before the lowest record to retry. */
export function toDeadLetter(records: RecordCheckpoint[]): number[] {
  const retryFrom = lowest(records, ["retry"]);
  const before = (r: RecordCheckpoint) =>
    retryFrom === undefined || BigInt(r.sequenceNumber) < BigInt(retryFrom);
  return records.flatMap((r, i) => (r.status === "permanent" && before(r) ? [i] : []));
}

/** The batch item failures to return: the lowest record not done and not dead-lettered, if any. */
export function batchItemFailures(records: RecordCheckpoint[]): { itemIdentifier: string }[] {
  const from = lowest(records, ["retry", "permanent"]);
  return from === undefined ? [] : [{ itemIdentifier: from }];
}

/** How many records Lambda will deliver again. */
export function leftForRetry(records: RecordCheckpoint[]): number {
  return records.filter((r) => r.status === "retry" || r.status === "permanent").length;
}
