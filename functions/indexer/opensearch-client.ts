/** The indexer's OpenSearch client: `_bulk`, and `_mget` of versions, over the shared client factory. */
import type { Client } from "@opensearch-project/opensearch";
import { createOpenSearchClient, type OpenSearchSettings } from "../../shared/opensearch-client";
import type { BulkClient } from "./bulk-writer";
import { BULK_FILTER_PATH } from "./classify";
import { type DocumentRef, readVersions, type VersionReader } from "./superseded";

export type { OpenSearchSettings };
export type IndexerSearch = BulkClient & VersionReader;

/**
 * The indexer's view of the client: `_bulk` with an NDJSON body and a per-request timeout, and the
 * current versions of documents (functions/indexer/superseded.ts) through a client that reads numbers as
 * written, made on first use (a batch with a record that cannot be indexed).
 */
export function createIndexerClient(settings: OpenSearchSettings): IndexerSearch {
  const client = createOpenSearchClient(settings, { plainJsonResponses: true });
  let exact: Client | undefined;
  return {
    bulk: async ({ body }, options) => {
      // The typed API expects an array of objects; a Buffer body (our NDJSON, whose 64-bit versions must
      // never pass through a JS number, already UTF-8) is sent as it is, neither serialized nor encoded.
      const response = await client.bulk({ body, filter_path: BULK_FILTER_PATH } as never, options);
      return { body: response.body as Awaited<ReturnType<BulkClient["bulk"]>>["body"] };
    },
    versions: async (docs, options) => {
      exact ??= createOpenSearchClient(settings, { exactNumbers: true });
      return readDocumentVersions(exact, docs, options);
    },
  };
}

/** `POST /_mget` of the documents without their source: realtime, so a write just applied is seen. */
export async function readDocumentVersions(
  client: Client,
  docs: DocumentRef[],
  options: { requestTimeout: number },
): Promise<Map<string, bigint>> {
  const { body } = await client.mget(
    { body: { docs: docs.map((d) => ({ _index: d.index, _id: d.id })) }, _source: false } as never,
    options,
  );
  return readVersions(body);
}
