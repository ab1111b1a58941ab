/**
 * The AWS clients of the local stack and the operator commands on a real socket (operator/lib/aws-http.ts):
 * a connection that goes silent fails (and the SDK tries again) instead of waiting forever, and a large
 * request on a slow link that keeps moving is not cut off. Each request goes to a client's own request
 * handler, one attempt, as the SDK sends every attempt. Every such client in the project has the limit.
 */
import { readFileSync } from "node:fs";
import { createServer, type Server, type Socket } from "node:net";
import type { NodeHttpHandler } from "@smithy/node-http-handler";
import { afterEach, describe, expect, it } from "vitest";
import { idleLimitedHandler } from "../../operator/lib/aws-http";
import { createKinesisClient, KINESIS_IDLE_MS } from "../../operator/lib/kinesis-client";
import { projectFiles } from "../helpers/project-files";

let server: Server | undefined;
const sockets = new Set<Socket>();
afterEach(async () => {
  for (const socket of sockets) socket.destroy();
  sockets.clear();
  const running = server;
  server = undefined;
  if (running) await new Promise((resolve) => running.close(resolve));
});

/** A server on loopback that hands each connection to `onConnection`. */
async function serve(onConnection: (socket: Socket) => void): Promise<string> {
  server = createServer((socket) => {
    sockets.add(socket);
    onConnection(socket);
  });
  await new Promise<void>((resolve) => server?.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(server.address() as { port: number }).port}`;
}

/** One attempt of a request through a request handler, and its answer's body read whole. */
async function attempt(
  handler: NodeHttpHandler,
  endpoint: string,
  requestBody = "{}",
): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(endpoint);
  try {
    const { response } = await handler.handle({
      protocol: "http:",
      hostname,
      port: Number(port),
      method: "POST",
      path: "/",
      query: {},
      headers: { host: `${hostname}:${port}`, "content-type": "application/x-amz-json-1.1" },
      body: requestBody,
    } as unknown as Parameters<NodeHttpHandler["handle"]>[0]);
    let body = "";
    for await (const chunk of response.body as AsyncIterable<Buffer>) body += chunk.toString();
    return { status: response.statusCode, body };
  } finally {
    handler.destroy();
  }
}

describe("an AWS client's connection", () => {
  it("fails when it goes silent, so that the request is tried again (the Kinesis client, as made)", {
    timeout: KINESIS_IDLE_MS + 10_000,
  }, async () => {
    const endpoint = await serve((socket) => socket.resume()); // reads the request, never answers
    const client = createKinesisClient("us-east-1", endpoint);
    const error = await attempt(client.config.requestHandler as NodeHttpHandler, endpoint).catch(
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).name).toBe("TimeoutError"); // retryable for the SDK
  });

  it("waits for a large request that keeps moving, however long it takes in all", {
    timeout: 30_000,
  }, async () => {
    const idleMs = 2_000;
    // A body the server takes in a step at a time (a slow link): all of it in about 1.5 times the idle
    // limit, never silent for as long as the limit. More than the kernel's buffers hold on loopback.
    const size = 24 * 1024 * 1024;
    const steps = 12;
    const endpoint = await serve((socket) => {
      let received = 0;
      let allowed = 0;
      socket.on("data", (chunk: Buffer) => {
        received += chunk.length;
        if (received >= size) {
          clearInterval(step);
          socket.write("HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}");
        } else if (received >= allowed) socket.pause();
      });
      const step = setInterval(
        () => {
          allowed += size / steps;
          socket.resume();
        },
        Math.ceil((idleMs * 1.5) / steps),
      );
      socket.pause();
      socket.once("close", () => clearInterval(step));
    });
    expect(await attempt(idleLimitedHandler(idleMs), endpoint, "x".repeat(size))).toEqual({
      status: 200,
      body: "{}",
    });
  });
});

it("is idle-limited in every AWS client the operator commands and the local stack make", () => {
  const sources = projectFiles().filter((f) => /^(operator|tools)\/.*\.ts$/.test(f));
  // Each `new XClient({` with its options, to the end of the statement.
  const made = sources.flatMap((file) =>
    [...readFileSync(file, "utf8").matchAll(/new (\w+Client)\(\{([\s\S]*?);\n/g)]
      .filter(([, name]) => name !== "Client")
      .map(([, name, options]) => ({
        at: `${file}: ${name}`,
        limited: /requestHandler: idleLimitedHandler\(/.test(options as string),
      })),
  );
  expect(made.length).toBeGreaterThanOrEqual(8);
  expect(made.filter((m) => !m.limited).map((m) => m.at)).toEqual([]);
});
