/** `npm run invoke` end to end: the real handler on every sample Kinesis event, against local endpoints. */
import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openSearchTarget, type SearchTarget, uniquePrefix } from "../helpers/search";
import { localSqs } from "../helpers/sqs";

const run = promisify(execFile);
const TSX = join("node_modules", ".bin", "tsx");

let search: SearchTarget;
let sqs: Awaited<ReturnType<typeof localSqs>>;
let envFile: string;
let dlqUrl: string;
let prefix: string;

beforeAll(async () => {
  search = await openSearchTarget();
  sqs = await localSqs();
  dlqUrl = sqs.createQueue("invoke-dlq");
  prefix = uniquePrefix();
  envFile = join(mkdtempSync(join(tmpdir(), "invoke-")), "env.json");
  writeFileSync(
    envFile,
    JSON.stringify({
      IndexerFunction: {
        OPENSEARCH_ENDPOINT: search.url,
        OPENSEARCH_AUTH: "none",
        DLQ_URL: dlqUrl,
        INDEX_PREFIX: prefix,
      },
    }),
  );
});
afterAll(async () => {
  rmSync(dirname(envFile), { recursive: true, force: true });
  await search.client.indices.delete({ index: `${prefix}*` }).catch(() => undefined);
  await search.close();
  await sqs.stop();
});

const invoke = (args: string[]) =>
  run(TSX, ["tools/invoke/cli.ts", ...args], {
    env: {
      ...process.env,
      AWS_ENDPOINT_URL_SQS: sqs.url,
      AWS_ACCESS_KEY_ID: "local",
      AWS_SECRET_ACCESS_KEY: "local",
      AWS_REGION: "us-east-1",
      POWERTOOLS_METRICS_DISABLED: "true",
    },
  });

describe("npm run invoke", () => {
  const events = readdirSync("events")
    .filter((f) => f.startsWith("kinesis-") && f.endsWith(".json"))
    .sort();

  it.each(events)("runs IndexerFunction on events/%s and acknowledges the whole batch", async (file) => {
    const { stdout } = await invoke(["IndexerFunction", "-e", `events/${file}`, "--env-vars", envFile]);
    expect(JSON.parse(stdout)).toEqual({ batchItemFailures: [] });
  });

  it("runs the handler as a cold start, as Lambda and sam local do (Powertools' cold_start)", async () => {
    const { stderr } = await invoke([
      "IndexerFunction",
      "-e",
      "events/kinesis-insert.json",
      "--env-vars",
      envFile,
    ]);
    const processed = stderr
      .split("\n")
      .filter((line) => line.startsWith("{"))
      .map((line) => JSON.parse(line) as { message?: string; cold_start?: boolean })
      .find((entry) => entry.message === "batch processed");
    expect(processed?.cold_start).toBe(true);
  });

  it("left the documents and dead letters the sample events describe", async () => {
    await search.client.indices.refresh({ index: `${prefix}*` });
    const get = async (index: string, id: string) =>
      (await search.client.get({ index: `${prefix}${index}`, id }, { ignore: [404] })).body as {
        found: boolean;
        _source?: Record<string, unknown>;
      };
    expect((await get("orders", "1001")).found).toBe(false); // inserted, updated, then deleted
    expect((await get("order_items", "1001|2"))._source).toMatchObject({
      sku: "MG-204",
      quantity: 1,
      unit_price: 90,
    });
    expect((await get("customers", "43"))._source).toMatchObject({ preferences: { newsletter: false } });
    expect((await get("loan-created-events", "7d1f6c1e-2f4b-4c8e-9a57-3f0c2b8e9d11"))._source).toMatchObject({
      event_type: "LoanCreated",
    });
    expect((await get("loan-created-events", "0b6e3a52-8c1d-4f7a-b3e2-6a9d4c1f2e77")).found).toBe(false);
    expect((await get("orders", "2001"))._source).toMatchObject({ status: "shipped", amount: 12.5 });
    expect((await get("orders", "2002")).found).toBe(false);
    expect((await get("orders", "3003"))._source).toMatchObject({ active: false });
    const dead = (await sqs.drain(dlqUrl)).map((b) => JSON.parse(b));
    expect(dead.map((d) => d.error.type).sort()).toEqual(["coercion_failed", "invalid_json"]);
  });

  it("names the option and the file when an event or env-vars file is missing or not JSON (exit 2)", async () => {
    const dir = mkdtempSync(join(tmpdir(), "invoke-bad-"));
    const empty = join(dir, "empty.json");
    const list = join(dir, "list.json");
    writeFileSync(empty, "");
    writeFileSync(list, "[1]");
    const said = async (args: string[]) => {
      const failed = await invoke(["IndexerFunction", ...args]).catch(
        (error: { code: number; stderr: string }) => error,
      );
      expect(failed).toMatchObject({ code: 2 });
      return (failed as { stderr: string }).stderr.trim().split("\n").at(-1);
    };
    try {
      expect(await said(["-e", join(dir, "absent.json")])).toBe(
        `invoke: -e ${join(dir, "absent.json")}: no such file`,
      );
      expect(await said(["-e", empty, "--env-vars", envFile])).toBe(
        `invoke: -e ${empty} is not JSON (Unexpected end of JSON input)`,
      );
      expect(await said(["-e", "events/kinesis-insert.json", "--env-vars", empty])).toBe(
        `invoke: --env-vars ${empty} is not JSON (Unexpected end of JSON input)`,
      );
      expect(await said(["-e", "events/kinesis-insert.json", "--env-vars", list])).toBe(
        `invoke: --env-vars ${list} must be {"Parameters": {...}, "<FunctionLogicalId>": {...}}, as with sam local invoke`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("passes --parameter-overrides and exits non-zero when the handler throws", async () => {
    const failed = await invoke([
      "ThrowingFunction",
      "-t",
      "test/fixtures/throwing/template.yaml",
      "-e",
      "events/kinesis-insert.json",
      "--parameter-overrides",
      "Stage=dev",
    ]).catch((error: { code: number; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1 });
    expect(JSON.parse((failed as { stdout: string }).stdout)).toMatchObject({
      errorMessage: "boom from the fixture handler",
    });
  });
});
