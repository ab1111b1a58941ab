/**
 * The answer to a CloudFormation custom-resource request: a PUT of a JSON document to the pre-signed
 * ResponseURL. Every request must be answered, success or failure, or the stack waits for an hour.
 */
import { request } from "node:https";
import type { CloudFormationCustomResourceEvent } from "aws-lambda";

export type CfnAnswer = {
  status: "SUCCESS" | "FAILED";
  physicalResourceId: string;
  reason?: string;
  data?: Record<string, string>;
};

export type Respond = (event: CloudFormationCustomResourceEvent, answer: CfnAnswer) => Promise<void>;

export function responseBody(event: CloudFormationCustomResourceEvent, answer: CfnAnswer): string {
  return JSON.stringify({
    Status: answer.status,
    // CloudFormation shows the reason; 4 KB is its limit for the whole response.
    Reason: (answer.reason ?? answer.status).slice(0, 1000),
    PhysicalResourceId: answer.physicalResourceId,
    StackId: event.StackId,
    RequestId: event.RequestId,
    LogicalResourceId: event.LogicalResourceId,
    NoEcho: false,
    ...(answer.data && { Data: answer.data }),
  });
}

/** PUT to the ResponseURL (https in AWS; http is accepted for local tests). */
export const sendCfnResponse: Respond = async (event, answer) => {
  const body = responseBody(event, answer);
  const url = new URL(event.ResponseURL);
  const send = url.protocol === "http:" ? (await import("node:http")).request : request;
  await new Promise<void>((resolve, reject) => {
    const req = send(
      url,
      {
        method: "PUT",
        headers: { "content-type": "", "content-length": Buffer.byteLength(body) },
        timeout: 10_000,
      },
      (res) => {
        res.resume();
        res.on("end", () =>
          (res.statusCode ?? 500) < 300
            ? resolve()
            : reject(new Error(`ResponseURL answered ${res.statusCode}`)),
        );
      },
    );
    req.on("timeout", () => req.destroy(new Error("ResponseURL did not answer within 10 s")));
    req.on("error", reject);
    req.end(body);
  });
};
