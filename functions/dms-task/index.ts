/**
 * DMS task controller (CloudFormation custom resource): starts the replication task after it is created,
 * stops it before CloudFormation changes or deletes it, and swaps the two in an update's rollback. Wiring
 * only: see app.ts and plan.ts.
 */
import { CloudFormationClient, DescribeStacksCommand } from "@aws-sdk/client-cloudformation";
import { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import { sendCfnResponse } from "../../shared/cfn-response";
import { createLogger } from "../../shared/observability";
import { createDmsTaskHandler } from "./app";

const cloudformation = new CloudFormationClient({ region: process.env.AWS_REGION });

export const handler = createDmsTaskHandler({
  dms: new DatabaseMigrationServiceClient({ region: process.env.AWS_REGION }),
  stackStatus: async (stackId) =>
    (await cloudformation.send(new DescribeStacksCommand({ StackName: stackId }))).Stacks?.[0]?.StackStatus,
  respond: sendCfnResponse,
  logger: createLogger("dms-task-controller"),
});
