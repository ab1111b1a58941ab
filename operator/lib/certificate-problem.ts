/**
 * What is wrong with a server's certificate, from a failed TLS connection: Node's error codes, or, where
 * a client keeps only the message (`@opensearch-project/opensearch`'s ConnectionError), Node's words.
 * Each caller says what to do about it in its own terms (a CA bundle to name, a host to check).
 */
export type CertificateProblem = "untrusted" | "name" | "expired";

/** TLS verification failures (Node's codes): no trusted CA vouches for the certificate. */
const UNTRUSTED = new Set([
  "UNABLE_TO_VERIFY_LEAF_SIGNATURE",
  "UNABLE_TO_GET_ISSUER_CERT",
  "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
  "SELF_SIGNED_CERT_IN_CHAIN",
  "DEPTH_ZERO_SELF_SIGNED_CERT",
  "CERT_UNTRUSTED",
]);

/** Node's messages for the same failures (OpenSSL's texts). */
const UNTRUSTED_TEXT =
  /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer certificate|certificate not trusted/i;

export function certificateProblem(error: unknown): CertificateProblem | undefined {
  // The error, then its causes (a few: a cause chain may loop).
  let e = error;
  for (let depth = 0; depth < 5 && typeof e === "object" && e !== null; depth++) {
    const { code, message, cause } = e as { code?: unknown; message?: unknown; cause?: unknown };
    const id = typeof code === "string" ? code : "";
    const text = typeof message === "string" ? message : "";
    if (UNTRUSTED.has(id) || UNTRUSTED_TEXT.test(text)) return "untrusted";
    if (id === "ERR_TLS_CERT_ALTNAME_INVALID" || /does not match certificate's altnames/i.test(text))
      return "name";
    if (id === "CERT_HAS_EXPIRED" || /certificate has expired/i.test(text)) return "expired";
    e = cause;
  }
  return undefined;
}

/**
 * Node's message for a refused certificate without its own advice ("; if the root CA is installed
 * locally, try running Node.js with --use-system-ca"), which points away from the fix the caller gives.
 */
export const withoutNodeAdvice = (message: string): string =>
  message.split("; if the root CA is installed locally")[0] as string;
