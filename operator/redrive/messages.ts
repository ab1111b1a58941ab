/**
 * What a dead-letter message asks to replay. The DLQ holds two shapes:
 * - the indexer's permanent failures (`cdc-indexer.permanent-failure`): the record's data, or, when it
 *   was too large for SQS, a pointer (shard and sequence number) into the stream;
 * - the event source mapping's on-failure records (`KinesisBatchInfo`): a range of sequence numbers.
 * Pure: parsing only.
 */
import { DEAD_LETTER_KIND, onFailureSchema, permanentFailureSchema } from "../../shared/dead-letters";

export type StoredRecord = { partitionKey: string; data: Buffer };

export type ReplayPlan =
  | { kind: "records"; records: StoredRecord[]; shardId: string; sequenceNumber: string; reason: string }
  | {
      kind: "range";
      streamArn: string;
      shardId: string;
      startSequenceNumber: string;
      endSequenceNumber: string;
      reason: string;
    }
  | { kind: "unreadable"; reason: string };

export function planReplay(body: string): ReplayPlan {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return { kind: "unreadable", reason: "not JSON" };
  }
  const indexer = permanentFailureSchema.safeParse(json);
  if (indexer.success) {
    const { source, error, data } = indexer.data;
    const reason = `indexer: ${error.type}`;
    if (data !== undefined)
      return {
        kind: "records",
        records: [{ partitionKey: source.partitionKey, data: Buffer.from(data, "base64") }],
        shardId: source.shardId,
        sequenceNumber: source.sequenceNumber,
        reason,
      };
    return {
      kind: "range",
      streamArn: source.eventSourceARN,
      shardId: source.shardId,
      startSequenceNumber: source.sequenceNumber,
      endSequenceNumber: source.sequenceNumber,
      reason,
    };
  }
  const onFailure = onFailureSchema.safeParse(json);
  if (onFailure.success) {
    const info = onFailure.data.KinesisBatchInfo;
    return {
      kind: "range",
      streamArn: info.streamArn,
      shardId: info.shardId,
      startSequenceNumber: info.startSequenceNumber,
      endSequenceNumber: info.endSequenceNumber,
      reason: `event source mapping: ${onFailure.data.requestContext.condition}`,
    };
  }
  return { kind: "unreadable", reason: unreadableReason(json, indexer.error) };
}

/** Why a message cannot be replayed: an indexer dead letter says which of its fields does not read. */
function unreadableReason(json: unknown, error: { issues: { path: PropertyKey[] }[] }): string {
  if ((json as { kind?: unknown } | null)?.kind !== DEAD_LETTER_KIND)
    return "neither an indexer dead letter nor a KinesisBatchInfo record";
  const fields = [...new Set(error.issues.map((i) => i.path.map(String).join(".") || "(message)"))];
  if (fields.length === 1 && fields[0] === "data")
    return "an indexer dead letter whose record data is not base64 (an event written by hand rather than delivered by Kinesis?): it cannot be put back as received; --discard it";
  return `an indexer dead letter with unreadable ${fields.join(", ")}`;
}

/** `arn:aws:kinesis:<region>:<account>:stream/<name>` -> name and region. */
export function parseStreamArn(arn: string): { name: string; region: string } {
  const match = /^arn:aws[\w-]*:kinesis:([\w-]+):\d{12}:stream\/([\w.-]+)$/.exec(arn);
  if (!match) throw new Error(`not a Kinesis stream ARN: ${arn}`);
  return { region: match[1] as string, name: match[2] as string };
}
