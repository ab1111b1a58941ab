/**
 * The request body as JSON: middy's http-json-body-parser (content type, malformed JSON, forbidden keys,
 * the same errors), and then numbers as the client wrote them. A body whose text may hold a number a double
 * would change (`12345678901234567.891`, an id past 2^53) is read again keeping those as written
 * (shared/exact-json.ts), so `event_data` stores, compares and answers every digit it was sent.
 */

import type { MiddlewareObj, Request } from "@middy/core";
import httpJsonBodyParser from "@middy/http-json-body-parser";
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from "aws-lambda";
import { JsonTooDeepError, mayHoldInexactNumbers, parseJsonKeepingDigits } from "../../../shared/exact-json";

type HttpRequest = Request<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;

export function jsonBody(): MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2> {
  const parser = httpJsonBodyParser() as MiddlewareObj<APIGatewayProxyEventV2, APIGatewayProxyResultV2>;
  return {
    before: async (request: HttpRequest) => {
      // bodyGuard runs first and has turned a base64 body into checked text.
      const text = request.event.isBase64Encoded ? undefined : request.event.body;
      await parser.before?.(request);
      // The parser accepted the text: it is JSON without forbidden keys. Read it again only if it may
      // hold a number the first reading changed; a body too deep for that is refused by validation.
      if (typeof text === "string" && mayHoldInexactNumbers(text))
        try {
          (request.event as { body: unknown }).body = parseJsonKeepingDigits(text);
        } catch (error) {
          if (!(error instanceof JsonTooDeepError)) throw error;
        }
    },
  };
}
