/**
 * Splits items into consecutive groups of at most `maxCount` items and `maxBytes` bytes (an item
 * larger than `maxBytes` gets a group of its own), keeping their order: SQS and Kinesis batch limits.
 */
export function groupByCountAndBytes<T>(
  items: readonly T[],
  maxCount: number,
  maxBytes: number,
  sizeOf: (item: T) => number,
): T[][] {
  const groups: T[][] = [];
  let current: T[] = [];
  let bytes = 0;
  for (const item of items) {
    const size = sizeOf(item);
    if (current.length > 0 && (current.length === maxCount || bytes + size > maxBytes)) {
      groups.push(current);
      current = [];
      bytes = 0;
    }
    current.push(item);
    bytes += size;
  }
  if (current.length > 0) groups.push(current);
  return groups;
}
