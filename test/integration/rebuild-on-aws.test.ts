/**
 * `npm run reload -- --rebuild --config-env <stage>` before its reload: the task must be running and the
 * operator must confirm before any index is deleted. The indices are real (the emulator, or the cluster
 * at OPENSEARCH_URL); DMS is mocked (no local DMS).
 */
import {
  DatabaseMigrationServiceClient,
  DescribeReplicationTasksCommand,
} from "@aws-sdk/client-database-migration-service";
import { mockClient } from "aws-sdk-client-mock";
import { afterAll, beforeAll, beforeEach, expect, it } from "vitest";
import { ReloadRefusedError, rebuildOnAws } from "../../operator/reload/reload";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";

const TASK_ARN = "arn:aws:dms:eu-west-1:123456789012:task:XYZ";
const dms = mockClient(DatabaseMigrationServiceClient);
let target: SearchTarget;
let indices: string[];

beforeAll(async () => {
  target = await openSearchTarget();
});
afterAll(async () => {
  await target.client.indices.delete({ index: indices, ignore_unavailable: true } as never, {
    ignore: [404],
  });
  await target.client.close();
  await target.close();
});

beforeEach(async () => {
  dms.reset();
  const prefix = uniquePrefix();
  indices = [`${prefix}orders`, `${prefix}paid-orders`];
  for (const index of indices) await target.client.index({ index, id: "1", body: { id: 1 }, refresh: true });
});

const taskIs = (Status: string | undefined) =>
  dms
    .on(DescribeReplicationTasksCommand)
    .resolves({ ReplicationTasks: Status ? [{ ReplicationTaskArn: TASK_ARN, Status }] : [] });
const exists = async (index: string) => (await target.client.indices.exists({ index })).body;
const rebuild = (confirm: () => Promise<boolean>, onIndex?: (index: string, existed: boolean) => void) =>
  rebuildOnAws({
    dms: new DatabaseMigrationServiceClient({ region: "eu-west-1" }),
    search: target.client,
    taskArn: TASK_ARN,
    indices,
    confirm,
    ...(onIndex && { onIndex }),
  });

it("deletes the indices once the task runs and the operator confirmed", async () => {
  taskIs("running");
  const said: string[] = [];
  await target.client.indices.delete({ index: indices[1] as string });
  expect(
    await rebuild(
      async () => true,
      (index, existed) => said.push(`${index} ${existed}`),
    ),
  ).toBe(true);
  expect(said).toEqual([`${indices[0]} true`, `${indices[1]} false`]);
  for (const index of indices) expect(await exists(index)).toBe(false);
  expect(dms.commandCalls(DescribeReplicationTasksCommand)[0]?.args[0].input.Filters).toEqual([
    { Name: "replication-task-arn", Values: [TASK_ARN] },
  ]);
});

it("deletes nothing when the task is not running, and says so before asking", async () => {
  for (const status of ["stopped", "starting", "failed", undefined]) {
    taskIs(status);
    let asked = false;
    const attempt = rebuild(async () => {
      asked = true;
      return true;
    });
    await expect(attempt).rejects.toThrow(ReloadRefusedError);
    await expect(attempt).rejects.toThrow(
      `the DMS task is ${status ?? "gone"}, and a reload needs it running: nothing was deleted`,
    );
    expect(asked).toBe(false);
    for (const index of indices) expect(await exists(index)).toBe(true);
  }
});

it("deletes nothing when the operator does not confirm", async () => {
  taskIs("running");
  expect(await rebuild(async () => false)).toBe(false);
  for (const index of indices) expect(await exists(index)).toBe(true);
});
