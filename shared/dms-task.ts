/** Reading the pipeline's DMS replication task, for the functions that drive it. */
import {
  type DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
  ResourceNotFoundFault,
} from "@aws-sdk/client-database-migration-service";

export type DmsClient = Pick<DatabaseMigrationServiceClient, "send">;
export type ReplicationTask = { arn: string; status: string | undefined; failure?: string };

/** The task with this identifier, or undefined when there is none (yet). */
export async function describeTask(dms: DmsClient, identifier: string): Promise<ReplicationTask | undefined> {
  try {
    const r = await dms.send(
      new DescribeReplicationTasksCommand({
        Filters: [{ Name: "replication-task-id", Values: [identifier] }],
        WithoutSettings: true,
      }),
    );
    const task = r.ReplicationTasks?.[0];
    if (!task?.ReplicationTaskArn) return undefined;
    const failure = task.LastFailureMessage ?? task.StopReason;
    return { arn: task.ReplicationTaskArn, status: task.Status, ...(failure && { failure }) };
  } catch (error) {
    if (error instanceof ResourceNotFoundFault) return undefined;
    throw error;
  }
}
