/**
 * Runs before @middy/http-json-body-parser: refuses bodies over the byte limit (413) before anything
 * parses them, and turns a base64 body into text only if it is valid UTF-8 (the parser would quietly
 * substitute U+FFFD).
 */
import type middy from "@middy/core";
import type { APIGatewayProxyEventV2 } from "aws-lambda";
import { HttpProblem } from "./problem";

const strictUtf8 = new TextDecoder("utf-8", { fatal: true });

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
