/**
 * Runs before @middy/http-json-body-parser: refuses bodies over the byte limit (413) before anything
 * parses them, bodies it cannot read as sent (415: compressed, API Gateway passes them on as they are;
 * declared in a charset other than UTF-8, JSON's encoding), and turns a base64 body into text only if it
 * is valid UTF-8 (the parser would quietly substitute U+FFFD).
 */
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpProblem } from "./problem";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

/** The charset a Content-Type names (`application/json; charset="latin1"`), or undefined. */
const charsetOf = (contentType: string | undefined) =>
  contentType === undefined ? undefined : /;\s*charset\s*=\s*"?([^";\s]*)"?/i.exec(contentType)?.[1];

/** The reason a body cannot be read as sent, or undefined. */
function unreadable(headers: Record<string, string | undefined> | undefined): string | undefined {
  const encoding = headers?.["content-encoding"]?.trim();
  if (encoding && encoding.toLowerCase() !== "identity")
    return `The body is sent with Content-Encoding ${encoding.slice(0, 40)}, which this API does not take: send it uncompressed.`;
  const charset = charsetOf(headers?.["content-type"]);
  if (charset !== undefined && !/^utf-?8$/i.test(charset))
    return `The body is declared charset=${charset.slice(0, 40)}: send JSON in UTF-8 (charset=utf-8, or no charset).`;
  return undefined;
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
      const reason = unreadable(event.headers);
      if (reason) throw new HttpProblem(415, reason);
      if (bytes) {
        try {
          event.body = strictUtf8.decode(bytes);
        } catch (cause) {
          throw new HttpProblem(400, "The body is not valid UTF-8.", { cause });
        }
        event.isBase64Encoded = false;
      }
      if (!event.body.isWellFormed()) throw new HttpProblem(400, "The body is not well-formed Unicode.");
    },
  };
}
