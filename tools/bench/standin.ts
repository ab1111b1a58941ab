/**
 * A stand-in OpenSearch for CPU benchmarks: accepts every action of a bulk body and answers one item per
 * action, reading only each line's first bytes, so that what is measured is the indexer's own work.
 */
import type { IndexerSearch } from "../../functions/indexer/opensearch-client";

export function acceptAll(body: string): { errors: boolean; items: Record<string, { status: number }>[] } {
  const items: Record<string, { status: number }>[] = [];
  let at = 0;
  while (at < body.length) {
    const end = body.indexOf("\n", at);
    if (end === -1) break;
    if (body.startsWith('{"delete"', at)) {
      items.push({ delete: { status: 200 } });
      at = end + 1;
    } else {
      items.push({ index: { status: 201 } });
      const next = body.indexOf("\n", end + 1);
      at = next === -1 ? body.length : next + 1;
    }
  }
  return { errors: false, items };
}

/** A cluster that accepts every action and holds no documents (the bench's workload has no refused records). */
export const acceptingSearch: IndexerSearch = {
  async bulk({ body }) {
    return { body: acceptAll(body.toString()) };
  },
  async versions() {
    return new Map();
  },
};
