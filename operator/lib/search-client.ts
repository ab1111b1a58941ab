/**
 * The OpenSearch client of the local tools (verify, the demo, the local stack, tests): the emulator, or a
 * cluster named by OPENSEARCH_URL, which may carry a self-signed certificate. Deployed stages are reached
 * through shared/opensearch-client.ts (SigV4, verified TLS).
 *
 * Documents are data: a column named `__proto__` is a field, and `JSON.parse` reads it as an own property
 * (it never sets a prototype). The client's prototype-poisoning protection would refuse every answer that
 * holds such a field, so it is off; what reads the answers reads own properties (shared/own-properties.ts).
 * With `exactNumbers` (verify) numbers come back as written (shared/exact-json.ts).
 */
import { Client } from "@opensearch-project/opensearch";
import { answerReading } from "../../shared/opensearch-client";

export function localSearchClient(
  url: string,
  options: { maxRetries?: number; exactNumbers?: boolean } = {},
): Client {
  const { exactNumbers, ...rest } = options;
  return new Client({
    node: url,
    ssl: { rejectUnauthorized: false },
    ...answerReading({ plainJsonResponses: true, exactNumbers }),
    ...rest,
  });
}
