/**
 * OpenSearch client factory: SigV4 (service `es`) in AWS, plain HTTP for local emulators. The indexer
 * wraps it for `_bulk`; the search bootstrap sends its setup requests with it.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Client } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";

export type OpenSearchSettings = { endpoint: string; auth: "iam" | "none"; region: string };

export type ClientOptions = {
  /**
   * Answers read with JSON.parse alone, without the client's prototype-poisoning scan of every answer
   * (which refuses any `__proto__` key): for callers that read fixed keys (the indexer's `_bulk` items) or
   * read documents as data through own properties (verify), where `__proto__` is a field. JSON.parse
   * makes such a key an own property; it never sets a prototype.
   */
  plainJsonResponses?: boolean;
};

export function createOpenSearchClient(settings: OpenSearchSettings, options: ClientOptions = {}): Client {
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
