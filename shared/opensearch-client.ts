/**
 * OpenSearch client factory: SigV4 (service `es`) in AWS, plain HTTP for local emulators. The indexer
 * wraps it for `_bulk`; the search bootstrap sends its setup requests with it.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";

export type OpenSearchSettings = { endpoint: string; auth: "iam" | "none"; region: string };

export function createOpenSearchClient(
  settings: OpenSearchSettings,
  options: { plainJsonResponses?: boolean } = {},
): Client {
  const common = {
    node: settings.endpoint,
    // The indexer classifies and retries failures itself, with a deadline; the client must not.
    maxRetries: 0,
    ...(options.plainJsonResponses && { disablePrototypePoisoningProtection: true }),
  } as const;
  if (settings.auth === "none") return new Client(common);
  const credentials = defaultProvider();
  return new Client({
    ...common,
    ...AwsSigv4Signer({ region: settings.region, service: "es", getCredentials: () => credentials() }),
  });
}
