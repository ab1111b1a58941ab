/**
 * The OpenSearch client of the local tools (verify, the demo, the local stack, tests): the emulator, or a
 * cluster named by OPENSEARCH_URL. TLS is verified, as the indexer (which the local stack runs against
 * the same cluster) verifies it: a cluster with a certificate of its own CA (a local docker OpenSearch's
 * demo certificates) is trusted through NODE_EXTRA_CA_CERTS, never by turning verification off, which
 * would send the URL's password to whoever answers. Deployed stages are reached through
 * shared/opensearch-client.ts (SigV4).
 *
 * Documents are data: a column named `__proto__` is a field, and `JSON.parse` reads it as an own property
 * (it never sets a prototype). The client's prototype-poisoning protection would refuse every answer that
 * holds such a field, so it is off; what reads the answers reads own properties (shared/own-properties.ts).
 * With `exactNumbers` (verify) numbers come back as written (shared/exact-json.ts).
 */
import { readFileSync } from "node:fs";
import { rootCertificates } from "node:tls";
import { Client } from "@opensearch-project/opensearch";
import { answerReading } from "../../shared/opensearch-client";
import { certificateProblem, withoutNodeAdvice } from "./certificate-problem";

export function localSearchClient(
  url: string,
  options: {
    maxRetries?: number;
    exactNumbers?: boolean;
    /** A CA to trust besides Node's (stack.json's `opensearchCaFile`). */
    caFile?: string | undefined;
  } = {},
): Client {
  const { exactNumbers, caFile, ...rest } = options;
  return new Client({
    node: url,
    ...(caFile && { ssl: { ca: [...rootCertificates, readFileSync(caFile, "utf8")] } }),
    ...answerReading({ plainJsonResponses: true, exactNumbers }),
    ...rest,
  });
}

/**
 * A failure to reach an OpenSearch of one's own in the user's terms: its message, and for a certificate
 * TLS refused, what to do about it.
 */
export function searchFailure(error: unknown): string {
  return `${withoutNodeAdvice((error as Error).message)}${searchCertificateHint(error)}`;
}

function searchCertificateHint(error: unknown): string {
  switch (certificateProblem(error)) {
    case "untrusted":
      return "; its certificate is not signed by a CA this machine trusts: name the CA with NODE_EXTRA_CA_CERTS=<ca.pem> (a docker OpenSearch's demo CA: docker cp <container>:/usr/share/opensearch/config/root-ca.pem .)";
    case "name":
      return "; its certificate is for another host name: use one the certificate holds (localhost for a docker OpenSearch's demo certificate)";
    case "expired":
      return "; its certificate has expired";
    default:
      return "";
  }
}
