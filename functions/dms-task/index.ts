/**
 * DMS task controller (CloudFormation custom resource): starts the replication task after it is created,
 * stops it before CloudFormation changes or deletes it. Wiring only: see app.ts and plan.ts.
 */
import { DatabaseMigrationServiceClient } from "@aws-sdk/client-database-migration-service";
import { sendCfnResponse } from "../../shared/cfn-response";
import { createLogger } from "../../shared/observability";
import { createDmsTaskHandler } from "./app";

export const handler = createDmsTaskHandler({
  dms: new DatabaseMigrationServiceClient({ region: process.env.AWS_REGION }),
  respond: sendCfnResponse,
  logger: createLogger("dms-task-controller"),
});
