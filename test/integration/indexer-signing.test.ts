/**
 * On AWS the indexer's bulk requests are signed (SigV4, service `es`): the signature covers the SHA-256 of
 * the exact body bytes, which the indexer hands over as a Buffer of UTF-8. A local server stands in for
 * the domain and records what arrives.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createIndexerClient } from "../../functions/indexer/opensearch-client";

const received: { headers: IncomingHttpHeaders; body: Buffer; url: string }[] = [];
const server = createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on("data", (chunk: Buffer) => chunks.push(chunk));
  req.on("end", () => {
    received.push({ headers: req.headers, body: Buffer.concat(chunks), url: req.url ?? "" });
    res.writeHead(200, { "content-type": "application/json" });
    res.end('{"errors":false,"items":[{"index":{"status":201}}]}');
  });
});
const saved = { ...process.env };
let endpoint: string;
beforeAll(async () => {
  Object.assign(process.env, {
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
    AWS_SESSION_TOKEN: "session-token-example",
  });
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  process.env = saved;
  await new Promise((done) => server.close(done));
});

describe("the indexer's bulk client with IAM auth", () => {
  it("signs each request over the SHA-256 of the body bytes it sends", async () => {
    const body = Buffer.from(
      '{"index":{"_index":"orders","_id":"1","version":1,"version_type":"external_gte"}}\n{"name":"Zoë €"}\n',
    );
    const client = createIndexerClient({ endpoint, auth: "iam", region: "eu-west-1" });
    const reply = await client.bulk({ body }, { requestTimeout: 5_000 });
    expect(reply.body.items).toEqual([{ index: { status: 201 } }]);

    const [request] = received;
    expect(request?.body.equals(body)).toBe(true);
    expect(request?.headers["content-length"]).toBe(String(body.length));
    expect(request?.headers["x-amz-content-sha256"]).toBe(createHash("sha256").update(body).digest("hex"));
    expect(request?.headers["x-amz-security-token"]).toBe("session-token-example");
    expect(request?.headers.authorization).toMatch(
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/\d{8}\/eu-west-1\/es\/aws4_request, SignedHeaders=[a-z0-9;-]*x-amz-content-sha256[a-z0-9;-]*, Signature=[0-9a-f]{64}$/,
    );
    expect(request?.url).toContain("filter_path=");
  });
});
