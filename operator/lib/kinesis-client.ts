/**
 * A Kinesis client for the operator commands and the local stack. An endpoint (kinesalite) gets the local
 * credentials; every client speaks HTTP/1.1 (the Kinesis client defaults to HTTP/2, which kinesalite
 * does not serve).
 *
 * A connection that goes silent (a stalled network path, a server that stopped answering) fails after
 * SOCKET_IDLE_MS without a byte either way, and the SDK tries again. Not `requestTimeout`: the smithy
 * handler only prints a warning when it passes (the request waited forever, and the warning showed on the
 * terminal after every laptop sleep), and as a limit on the whole request it would fail a 5 MB PutRecords
 * over a slow link that is making progress.
 */
import { KinesisClient } from "@aws-sdk/client-kinesis";
import { NodeHttpHandler } from "@smithy/node-http-handler";
import { LOCAL_CREDENTIALS } from "./local-credentials";

/** How long a request's connection may stay silent before it fails (and is tried again). */
export const SOCKET_IDLE_MS = 10_000;

/** A Kinesis client; an endpoint (kinesalite) gets local credentials and HTTP/1.1. */
export function createKinesisClient(region: string, endpoint?: string): KinesisClient {
  return new KinesisClient({
    region,
    ...(endpoint && { endpoint, credentials: LOCAL_CREDENTIALS }),
    requestHandler: new NodeHttpHandler({ connectionTimeout: 2_000, socketTimeout: SOCKET_IDLE_MS }),
    maxAttempts: 5,
  });
}
