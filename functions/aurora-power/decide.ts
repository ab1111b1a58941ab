/**
 * When to start and when to stop a non-production Aurora cluster. Pure: the handlers gather the
 * cluster's state and the API's traffic, these functions decide.
 */

export type ClusterState = {
  status: string;
  /** Value of the cluster's `cdc:auto-stop` tag; `off` keeps it running. */
  autoStopTag: string | undefined;
};

export type StartDecision = { action: "start" | "none"; reason: string };
export type StopDecision = { action: "stop" | "none"; reason: string };

export function decideStart(cluster: ClusterState): StartDecision {
  if (cluster.status === "stopped") return { action: "start", reason: "cluster is stopped" };
  return { action: "none", reason: `cluster is ${cluster.status}` };
}

export function decideStop(cluster: ClusterState, apiRequests: number, idleHours: number): StopDecision {
  if (cluster.autoStopTag?.toLowerCase() === "off")
    return { action: "none", reason: "the cluster's cdc:auto-stop tag is off" };
  if (cluster.status !== "available") return { action: "none", reason: `cluster is ${cluster.status}` };
  if (apiRequests > 0)
    return { action: "none", reason: `${apiRequests} API request(s) in the last ${idleHours} h` };
  return { action: "stop", reason: `no API requests in the last ${idleHours} h` };
}
