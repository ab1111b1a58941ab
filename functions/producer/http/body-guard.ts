/**
 * Runs before @middy/http-json-body-parser: refuses bodies over the byte limit (413) before anything
 * parses them, compressed bodies (415), and turns a base64 body into text only if it is valid UTF-8 (the
 * parser would quietly substitute U+FFFD).
 */
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpProblem } from "./problem";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The charset a Content-Type names (`application/json; charset="latin1"`), or undefined. */
const charsetOf = (contentType: string | undefined) =>
  contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType)?.[1];

/** Why a body that is not UTF-8 is refused: JSON is UTF-8 whatever charset the request names (RFC 8259). */
function notUtf8(headers: Record<string, string | undefined> | undefined): string {
  const charset = charsetOf(headers?.["content-type"]);
  return charset === undefined || /^utf-?8$/i.test(charset)
    ? "The body is not valid UTF-8."
    : `The body is not valid UTF-8, the encoding of JSON: a charset parameter (here ${charset.slice(0, 40)}) does not change it.`;
}

export function bodyGuard(options: { maxBytes: number }): middy.MiddlewareObj<APIGatewayProxyEventV2> {
  return {
    before: (request) => {
      const event = request.event;
      if (typeof event.body !== "string") return;
      const bytes = event.isBase64Encoded ? Buffer.from(event.body, "base64") : undefined;
      const size = bytes ? bytes.length : Buffer.byteLength(event.body, "utf8");
      if (size > options.maxBytes)
        throw new HttpProblem(413, `The body is ${size} bytes; the limit is ${options.maxBytes}.`, {
          extra: { limit_bytes: options.maxBytes },
        });
      // API Gateway passes a compressed body on as it is.
      const encoding = event.headers?.["content-encoding"]?.trim();
      if (encoding && encoding.toLowerCase() !== "identity")
        throw new HttpProblem(
          415,
          `The body is sent with Content-Encoding ${encoding.slice(0, 40)}, which this API does not take: send it uncompressed.`,
        );
      if (bytes) {
        try {
          event.body = strictUtf8.decode(bytes);
        } catch (cause) {
          throw new HttpProblem(400, notUtf8(event.headers), { cause });
        }
        event.isBase64Encoded = false;
      }
      // A byte order mark before the JSON is ignored (RFC 8259 allows it), as the decoder above drops it
      // from a base64 body: the same request is read the same however API Gateway passes it on.
      if (event.body.startsWith("\uFEFF")) event.body = event.body.slice(1);
      if (!event.body.isWellFormed()) throw new HttpProblem(400, "The body is not well-formed Unicode.");
    },
  };
}
