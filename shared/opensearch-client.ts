/**
 * OpenSearch client factory: SigV4 (service `es`) in AWS, plain HTTP for local emulators. The indexer
 * wraps it for `_bulk`; the search bootstrap sends its setup requests with it.
 */
import { defaultProvider } from "@aws-sdk/credential-provider-node";
import { Client, errors, Serializer } from "@opensearch-project/opensearch";
import { AwsSigv4Signer } from "@opensearch-project/opensearch/aws";
import { parseJsonKeepingDigits } from "./exact-json";

export type OpenSearchSettings = { endpoint: string; auth: "iam" | "none"; region: string };

export type ClientOptions = {
  /**
   * Answers read with JSON.parse alone, without the client's prototype-poisoning scan of every answer
   * (which refuses any `__proto__` key): for callers that read fixed keys (the indexer's `_bulk` items) or
   * read documents as data through own properties (verify), where `__proto__` is a field. JSON.parse
   * makes such a key an own property; it never sets a prototype.
   */
  plainJsonResponses?: boolean;
  /**
   * Answers read with every number as written (shared/exact-json.ts): a document's number with more
   * digits than a double keeps comes back with all of them, for comparing documents digit for digit
   * (verify). Implies plainJsonResponses.
   */
  exactNumbers?: boolean;
};

/** Reads answers with parseJsonKeepingDigits; errors as the client's own serializer reports them. */
class ExactNumbersSerializer extends Serializer {
  override deserialize(json: string): unknown {
    try {
      return parseJsonKeepingDigits(json);
    } catch (error) {
      throw new errors.DeserializationError((error as Error).message, json);
    }
  }
}

/** The client options that read answers as `options` asks. */
export function answerReading(options: ClientOptions): Record<string, unknown> {
  if (options.exactNumbers) return { Serializer: ExactNumbersSerializer };
  return options.plainJsonResponses ? { disablePrototypePoisoningProtection: true } : {};
}

export function createOpenSearchClient(settings: OpenSearchSettings, options: ClientOptions = {}): Client {
  const common = {
    node: settings.endpoint,
    // The indexer classifies and retries failures itself, with a deadline; the client must not.
    maxRetries: 0,
    ...answerReading(options),
  } as const;
  if (settings.auth === "none") return new Client(common);
  const credentials = defaultProvider();
  return new Client({
    ...common,
    ...AwsSigv4Signer({ region: settings.region, service: "es", getCredentials: () => credentials() }),
  });
}
