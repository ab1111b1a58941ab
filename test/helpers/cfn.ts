/**
 * A local stand-in for CloudFormation's pre-signed ResponseURL: records every answer a custom resource
 * PUTs (with its method), or refuses them with 500 when asked (the path where the answer itself fails).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

export type ResponseServer = {
  url: string;
  answers: Record<string, unknown>[];
  refuse: boolean;
  close(): Promise<void>;
};

export async function startResponseServer(): Promise<ResponseServer> {
  const state = { answers: [] as Record<string, unknown>[], refuse: false };
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => {
      body += c;
    });
    req.on("end", () => {
      if (state.refuse) {
        res.writeHead(500).end();
        return;
      }
      state.answers.push({ method: req.method, ...(JSON.parse(body) as Record<string, unknown>) });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/cfn-response`,
    answers: state.answers,
    get refuse() {
      return state.refuse;
    },
    set refuse(value: boolean) {
      state.refuse = value;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
