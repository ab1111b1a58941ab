/**
 * An HTTPS server in front of an HTTP one (the OpenSearch API emulator), with the given certificate: a
 * cluster of one's own as a local docker OpenSearch is, TLS with a certificate of its own CA.
 */
import { readFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";

export async function httpsFront(
  target: string,
  certificateDir: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer(
    {
      key: readFileSync(join(certificateDir, "server.key")),
      cert: readFileSync(join(certificateDir, "server.crt")),
    },
    (req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", async () => {
        try {
          const body = Buffer.concat(chunks);
          const answer = await fetch(`${target}${req.url}`, {
            method: req.method as string,
            ...(body.length > 0 && { body }),
            headers: { "content-type": req.headers["content-type"] ?? "application/json" },
          });
          res.writeHead(answer.status, {
            "content-type": answer.headers.get("content-type") ?? "application/json",
          });
          res.end(Buffer.from(await answer.arrayBuffer()));
        } catch (error) {
          res.writeHead(502).end((error as Error).message);
        }
      });
    },
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
