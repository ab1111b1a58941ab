/** The Aurora cluster through the RDS API: its state, start and stop. */
import {
  DescribeDBClustersCommand,
  InvalidDBClusterStateFault,
  type RDSClient,
  StartDBClusterCommand,
  StopDBClusterCommand,
} from "@aws-sdk/client-rds";
import { PipelineError } from "../../shared/errors";
import type { ClusterState } from "./decide";

export const AUTO_STOP_TAG = "cdc:auto-stop";

export class ClusterNotFoundError extends PipelineError {
  override name = "ClusterNotFoundError";
  constructor(identifier: string) {
    super("cluster_not_found", `Aurora cluster ${identifier} does not exist`);
  }
}

export async function describeCluster(
  rds: Pick<RDSClient, "send">,
  identifier: string,
): Promise<ClusterState> {
  const { DBClusters = [] } = await rds.send(
    new DescribeDBClustersCommand({ DBClusterIdentifier: identifier }),
  );
  const cluster = DBClusters[0];
  if (!cluster?.Status) throw new ClusterNotFoundError(identifier);
  return {
    status: cluster.Status,
    autoStopTag: cluster.TagList?.find((tag) => tag.Key === AUTO_STOP_TAG)?.Value,
  };
}

/**
 * Starts the cluster. A state change that raced with another caller (the cluster is no longer in the
 * state the decision saw) is not an error: someone else already did it. (Start and stop are two
 * functions so each Lambda's bundle holds only the command its role allows.)
 */
export const startCluster = (rds: Pick<RDSClient, "send">, identifier: string) =>
  requestStateChange(rds, new StartDBClusterCommand({ DBClusterIdentifier: identifier }));

/** Stops the cluster; a stop that raced with another caller is not an error (as startCluster). */
export const stopCluster = (rds: Pick<RDSClient, "send">, identifier: string) =>
  requestStateChange(rds, new StopDBClusterCommand({ DBClusterIdentifier: identifier }));

async function requestStateChange(
  rds: Pick<RDSClient, "send">,
  command: StartDBClusterCommand | StopDBClusterCommand,
): Promise<"requested" | "already-changing"> {
  try {
    await rds.send(command as StartDBClusterCommand);
    return "requested";
  } catch (error) {
    if (error instanceof InvalidDBClusterStateFault) return "already-changing";
    throw error;
  }
}
