/**
 * A Kinesis client for the operator commands and the local stack. An endpoint (kinesalite) gets the local
 * credentials; every client speaks HTTP/1.1 (the Kinesis client defaults to HTTP/2, which kinesalite
 * does not serve). A connection silent for 10 s fails and is tried again (aws-http.ts): no Kinesis call
 * waits on the server (before, a request in hand across a laptop sleep printed smithy's warning).
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { idleLimitedHandler } from "./aws-http";
import { LOCAL_CREDENTIALS } from "./local-credentials";

/** How long a Kinesis request's connection may stay silent before it fails (and is tried again). */
export const KINESIS_IDLE_MS = 10_000;

/** A Kinesis client; an endpoint (kinesalite) gets local credentials and HTTP/1.1. */
export function createKinesisClient(region: string, endpoint?: string): KinesisClient {
  return new KinesisClient({
    region,
    ...(endpoint && { endpoint, credentials: LOCAL_CREDENTIALS }),
    requestHandler: idleLimitedHandler(KINESIS_IDLE_MS),
    maxAttempts: 5,
  });
}
