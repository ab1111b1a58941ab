/** `npm run reload`'s table checks, and its AWS path against a mocked DMS: request, chunks, follow-up. */
import {
  DatabaseMigrationServiceClient,
  DescribeTableStatisticsCommand,
  InvalidResourceStateFault,
  ReloadTablesCommand,
  type TableStatistics,
} from "@aws-sdk/client-database-migration-service";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { ReloadError, ReloadRefusedError, reloadOnAws, tablesToReload } from "../../operator/reload/reload";
import { dmsTableMappings } from "../../shared/dms-table-mappings";
import { parsePipelineConfig } from "../../shared/pipeline-config";

const TASK_ARN = "arn:aws:dms:eu-west-1:123456789012:task:XYZ";
const dms = mockClient(DatabaseMigrationServiceClient);
const mappings = dmsTableMappings(
  parsePipelineConfig(
    `tables:
  public.orders: { primaryKey: [id] }
  sales.items: { primaryKey: [id] }`,
  ),
);

const stats = (table: string, TableState: string, end?: string, FullLoadRows = 0): TableStatistics => {
  const [SchemaName, TableName] = table.split(".");
  return { SchemaName, TableName, TableState, FullLoadRows, ...(end && { FullLoadEndTime: new Date(end) }) };
};

/** DescribeTableStatistics answers these pages, one per call (the last one repeats). */
function statisticsAre(...answers: TableStatistics[][]) {
  let call = 0;
  dms.on(DescribeTableStatisticsCommand).callsFake(() => ({
    TableStatistics: answers[Math.min(call++, answers.length - 1)],
  }));
}

/** A clock the sleeps move forward. */
function clock() {
  let t = 0;
  return {
    now: () => t,
    sleep: async (ms: number) => {
      t += ms;
    },
  };
}

beforeEach(() => dms.reset());

describe("tablesToReload", () => {
  it("takes the tables the task captures, once each, in order", () => {
    expect(tablesToReload(["sales.items", "public.orders", "sales.items"], mappings)).toEqual([
      "sales.items",
      "public.orders",
    ]);
  });

  it("refuses a table the task does not capture, naming those it does", () => {
    expect(() => tablesToReload(["public.orders", "public.nope"], mappings)).toThrow(
      /not captured by the pipeline: public\.nope \(config\/pipeline\.yaml has public\.orders, sales\.items\)/,
    );
    expect(() => tablesToReload([], mappings)).toThrow(ReloadError);
  });
});

describe("reloadOnAws", () => {
  it("asks DMS for a data reload and follows each table until its new load completed", async () => {
    statisticsAre(
      [stats("public.orders", "Table completed", "2026-11-01T00:00:00Z", 10)],
      [stats("public.orders", "Table completed", "2026-11-01T00:00:00Z", 10)], // not started yet
      [stats("public.orders", "Table is being reloaded", "2026-11-01T00:00:00Z")],
      [stats("public.orders", "Table completed", "2026-12-01T10:00:00Z", 12)],
    );
    dms.on(ReloadTablesCommand).resolves({ ReplicationTaskArn: TASK_ARN });
    const seen: string[] = [];
    const states = await reloadOnAws({
      dms: new DatabaseMigrationServiceClient({ region: "eu-west-1" }),
      taskArn: TASK_ARN,
      tables: ["public.orders"],
      waitMs: 60_000,
      pollMs: 1_000,
      ...clock(),
      onPoll: (s) => seen.push(s[0]?.state as string),
    });
    expect(dms.commandCalls(ReloadTablesCommand).map((c) => c.args[0].input)).toEqual([
      {
        ReplicationTaskArn: TASK_ARN,
        ReloadOption: "data-reload",
        TablesToReload: [{ SchemaName: "public", TableName: "orders" }],
      },
    ]);
    expect(seen).toEqual(["Table completed", "Table is being reloaded", "Table completed"]);
    expect(states).toEqual([{ table: "public.orders", state: "Table completed", rows: 12, completed: true }]);
  });

  it("takes a completion after a poll that saw the table loading, whatever its end time says", async () => {
    statisticsAre(
      [stats("public.orders", "Table completed", "2026-11-01T00:00:00Z", 10)],
      [stats("public.orders", "Table is being reloaded", "2026-11-01T00:00:00Z")],
      [stats("public.orders", "Table completed", undefined, 12)],
    );
    dms.on(ReloadTablesCommand).resolves({});
    const states = await reloadOnAws({
      dms: new DatabaseMigrationServiceClient({}),
      taskArn: TASK_ARN,
      tables: ["public.orders"],
      waitMs: 60_000,
      ...clock(),
    });
    expect(states).toEqual([{ table: "public.orders", state: "Table completed", rows: 12, completed: true }]);
  });

  it("sends at most 10 tables a request", async () => {
    const tables = Array.from({ length: 23 }, (_, i) => `public.t${i}`);
    statisticsAre([]);
    dms.on(ReloadTablesCommand).resolves({});
    await reloadOnAws({ dms: new DatabaseMigrationServiceClient({}), taskArn: TASK_ARN, tables, waitMs: 0 });
    const sizes = dms.commandCalls(ReloadTablesCommand).map((c) => c.args[0].input.TablesToReload?.length);
    expect(sizes).toEqual([10, 10, 3]);
  });

  it("stops following a table whose load failed, and reports a table still loading when time is up", async () => {
    statisticsAre(
      [],
      [stats("public.orders", "Table error"), stats("sales.items", "Full load", undefined, 5)],
    );
    dms.on(ReloadTablesCommand).resolves({});
    const c = clock();
    const states = await reloadOnAws({
      dms: new DatabaseMigrationServiceClient({}),
      taskArn: TASK_ARN,
      tables: ["public.orders", "sales.items"],
      waitMs: 30_000,
      pollMs: 10_000,
      ...c,
    });
    expect(states).toEqual([
      { table: "public.orders", state: "Table error", rows: 0, completed: false },
      { table: "sales.items", state: "Full load", rows: 5, completed: false },
    ]);
    expect(c.now()).toBe(30_000);
  });

  it("passes on why DMS refused (a task that is not running)", async () => {
    statisticsAre([]);
    dms
      .on(ReloadTablesCommand)
      .rejects(new InvalidResourceStateFault({ message: "Task is not running", $metadata: {} }));
    const refused = reloadOnAws({
      dms: new DatabaseMigrationServiceClient({}),
      taskArn: TASK_ARN,
      tables: ["public.orders"],
      waitMs: 0,
    });
    await expect(refused).rejects.toBeInstanceOf(ReloadRefusedError);
    await expect(refused).rejects.toThrow(
      "DMS refused to reload public.orders: InvalidResourceStateFault: Task is not running",
    );
  });
});
