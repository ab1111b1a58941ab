/**
 * A Kinesis client for the operator commands and the local stack. An endpoint (kinesalite) gets the local
 * credentials; every client speaks HTTP/1.1 (the Kinesis client defaults to HTTP/2, which kinesalite
 * does not serve).
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { LOCAL_CREDENTIALS } from "./local-credentials";

/** A Kinesis client; an endpoint (kinesalite) gets local credentials and HTTP/1.1. */
export function createKinesisClient(region: string, endpoint?: string): KinesisClient {
  return new KinesisClient({
    region,
    ...(endpoint && { endpoint, credentials: LOCAL_CREDENTIALS }),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, requestTimeout: 10_000 }),
    maxAttempts: 5,
  });
}
