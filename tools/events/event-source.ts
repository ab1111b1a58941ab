/**
 * The readable sources of the sample events (events/src/*.yaml), checked before anything is written: a
 * typo in a key (`partitionKy`) was written as an event without a partition key, and a YAML mistake
 * ended the command with a stack trace. What a sample carries (a DMS message, a request body) is free:
 * the poison batch and the invalid request are samples of bad input on purpose.
 */
import { parse } from "yaml";
import { z } from "zod";
import { issueLines } from "../../shared/zod-issues";

const kinesisRecord = z
  .strictObject({
    partitionKey: z.string().min(1).max(256),
    /** A DMS message, written as DMS writes it (one JSON line). */
    message: z.unknown().optional(),
    /** The record's text as is (a record that is not JSON, for the poison batch). */
    raw: z.string().optional(),
  })
  .refine(
    (r) => "message" in r !== "raw" in r,
    "needs message (a DMS message) or raw (the record's text), one of them",
  );

const kinesisSourceSchema = z.strictObject({ records: z.array(kinesisRecord).min(1) });

const httpSourceSchema = z.strictObject({
  request: z.strictObject({
    method: z.enum(["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]),
    path: z.string().startsWith("/"),
    headers: z.record(z.string(), z.string()).optional(),
    bodyFile: z.string().min(1).optional(),
    body: z.unknown().optional(),
  }),
});

type KinesisSource = z.infer<typeof kinesisSourceSchema>;
export type HttpSource = z.infer<typeof httpSourceSchema>;

export class EventSourceError extends Error {
  override name = "EventSourceError";
}

/** A source's text as a Kinesis or an HTTP sample, or an error that says what is wrong where. */
export function parseEventSource(text: string): KinesisSource | HttpSource {
  let source: unknown;
  try {
    source = parse(text);
  } catch (error) {
    throw new EventSourceError(`not valid YAML: ${(error as Error).message.split("\n")[0]}`, {
      cause: error,
    });
  }
  const isRequest = typeof source === "object" && source !== null && "request" in source;
  const parsed = (isRequest ? httpSourceSchema : kinesisSourceSchema).safeParse(source);
  if (!parsed.success)
    throw new EventSourceError(
      `${isRequest ? "an HTTP API request" : "a Kinesis event"} source that is not valid:\n  - ${issueLines(parsed.error).join("\n  - ")}`,
    );
  return parsed.data;
}
