/**
 * A local stand-in for CloudFormation's pre-signed ResponseURL: records every answer a custom resource
 * PUTs (with its method), or refuses them with 500 when asked (the path where the answer itself fails).
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";

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

/** A CloudFormation request to a custom resource, as CloudFormation sends it (Update and Delete carry the physical id). */
export function customResourceEvent(
  resource: { responseUrl: string; logicalId: string; type: string; physicalId: string },
  RequestType: "Create" | "Update" | "Delete",
  properties: Record<string, unknown>,
): CloudFormationCustomResourceEvent {
  return {
    RequestType,
    ServiceToken: "x",
    ResponseURL: resource.responseUrl,
    StackId: "arn:aws:cloudformation:eu-west-1:123456789012:stack/cdc-dev/1",
    RequestId: `req-${RequestType}`,
    LogicalResourceId: resource.logicalId,
    ResourceType: resource.type,
    ResourceProperties: { ServiceToken: "x", ...properties },
    ...(RequestType !== "Create" && { PhysicalResourceId: resource.physicalId, OldResourceProperties: {} }),
  } as CloudFormationCustomResourceEvent;
}
