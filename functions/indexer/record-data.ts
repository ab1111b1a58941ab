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
