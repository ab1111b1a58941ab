/** OpenSearch client factory: SigV4 (service `es`) in AWS, plain HTTP for local emulators. */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";
import type { BulkClient } from "./bulk-writer";

export type OpenSearchSettings = { endpoint: string; auth: "iam" | "none"; region: string };

export function createOpenSearchClient(settings: OpenSearchSettings): Client {
  const common = {
    node: settings.endpoint,
    // The indexer classifies and retries failures itself, with a deadline; the client must not.
    maxRetries: 0,
  } as const;
  if (settings.auth === "none") return new Client(common);
  const credentials = defaultProvider();
  return new Client({
    ...common,
    ...AwsSigv4Signer({ region: settings.region, service: "es", getCredentials: () => credentials() }),
  });
}

/** The indexer's view of the client: `_bulk` with an NDJSON body and a per-request timeout. */
export function createBulkClient(settings: OpenSearchSettings): BulkClient {
  const client = createOpenSearchClient(settings);
  return {
    bulk: async ({ body }, options) => {
      // The typed API expects an array of objects; a string body (our NDJSON, whose 64-bit versions must
      // never pass through a JS number) is sent as it is.
      const response = await client.bulk({ body } as never, options);
      return { body: response.body as Awaited<ReturnType<BulkClient["bulk"]>>["body"] };
    },
  };
}
