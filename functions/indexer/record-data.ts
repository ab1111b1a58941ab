/**
 * A Kinesis record's data (base64) as UTF-8 text, decoded through one buffer reused for every record of
 * the container (Node's decoder, as Buffer.from uses it, without a Buffer per record). The text returned
 * is a copy: the buffer is free again at once.
 */
let scratch = Buffer.allocUnsafe(64 * 1024);

export function recordText(base64: string): string {
  const needed = Math.ceil((base64.length * 3) / 4);
  if (needed > scratch.length) scratch = Buffer.allocUnsafe(needed);
  const length = scratch.write(base64, "base64");
  return scratch.toString("utf8", 0, length);
}

/**
 * Why a record's data that did not read as JSON may not have been base64 at all: a hand-written event
 * whose data is the DMS record as it is (base64 has no `{`). Undefined when it was base64.
 */
export function notBase64Hint(data: string): string | undefined {
  const at = data.search(/[^A-Za-z0-9+/=\s_-]/);
  if (at < 0) return undefined;
  return `the data holds ${JSON.stringify(data[at])} at ${at}, which base64 does not: Kinesis delivers record data base64-encoded (npm run events builds the sample events from events/src/*.yaml)`;
}
