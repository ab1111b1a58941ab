/** The indexer's OpenSearch client: `_bulk` over the shared client factory (shared/opensearch-client.ts). */
import { createOpenSearchClient, type OpenSearchSettings } from "../../shared/opensearch-client";
import type { BulkClient } from "./bulk-writer";
import { BULK_FILTER_PATH } from "./classify";

export type { OpenSearchSettings };

/** The indexer's view of the client: `_bulk` with an NDJSON body and a per-request timeout. */
export function createBulkClient(settings: OpenSearchSettings): BulkClient {
  const client = createOpenSearchClient(settings, { plainJsonResponses: true });
  return {
    bulk: async ({ body }, options) => {
      // The typed API expects an array of objects; a Buffer body (our NDJSON, whose 64-bit versions must
      // never pass through a JS number, already UTF-8) is sent as it is, neither serialized nor encoded.
      const response = await client.bulk({ body, filter_path: BULK_FILTER_PATH } as never, options);
      return { body: response.body as Awaited<ReturnType<BulkClient["bulk"]>>["body"] };
    },
  };
}
