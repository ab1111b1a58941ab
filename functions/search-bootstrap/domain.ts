/** Requests to the domain through the OpenSearch client, answering with the status whatever it is. */
import type { Client } from "@opensearch-project/opensearch";
import type { SendToDomain } from "./app";

/** The domain's answer, 4xx and 5xx included (the handler decides); rejects only without an answer. */
export function sendThrough(client: Client): SendToDomain {
  return async ({ method, path, body }) => {
    try {
      const response = await client.transport.request({ method, path, body }, { requestTimeout: 30_000 });
      return { status: response.statusCode ?? 200, body: response.body };
    } catch (error) {
      const meta = (error as { meta?: { statusCode?: number; body?: unknown } }).meta;
      if (meta?.statusCode) return { status: meta.statusCode, body: meta.body };
      throw error;
    }
  };
}
