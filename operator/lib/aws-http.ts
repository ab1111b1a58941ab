/**
 * The HTTP handler of every AWS client of the operator commands and the local stack. A connection that
 * goes silent (a stalled network path, a VPN that dropped, a server that stopped answering) fails after
 * an idle limit, and the SDK tries again; the SDK's default handler waits forever. Not `requestTimeout`:
 * smithy's handler only prints a warning when it passes (the request still waits), and as a limit on the
 * whole request it would fail a large upload on a slow link that is making progress.
 */
import { NodeHttpHandler } from "@smithy/node-http-handler";

/** Silence allowed by default: above SQS's longest long poll (20 s), far above any other answer's wait. */
export const AWS_IDLE_MS = 30_000;
const CONNECT_MS = 5_000;

export function idleLimitedHandler(idleMs: number = AWS_IDLE_MS): NodeHttpHandler {
  return new NodeHttpHandler({ connectionTimeout: CONNECT_MS, socketTimeout: idleMs });
}
