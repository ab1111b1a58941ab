/**
 * The producer API on the local stack: `npm run invoke -- ProducerFunction -e events/api-post-event.json`
 * writes the row into the stack's PostgreSQL and the change reaches OpenSearch (its own index and the
 * LoanCreated route); the same handler also answers on the stack's HTTP port.
 */
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { writeStackFile } from "../../operator/lib/local-stack-file";
import { stored } from "../helpers/http";
import { startTestStack, stopTestStack } from "../helpers/stack";

const run = promisify(execFile);
const SAMPLE = JSON.parse(readFileSync("events/bodies/loan-created-event.json", "utf8"));
const SAMPLE_ID: string = SAMPLE.eventHeader.uuid;
const BATCH = JSON.parse(readFileSync("events/bodies/events-batch.json", "utf8"));

let t: Awaited<ReturnType<typeof startTestStack>>;
let stackDir: string;
beforeAll(async () => {
  t = await startTestStack();
  stackDir = mkdtempSync(join(tmpdir(), "cdc-stack-file-"));
  writeStackFile(
    {
      pid: process.pid,
      databaseUrl: t.stack.databaseUrl,
      opensearchUrl: t.stack.opensearchUrl,
      indexPrefix: "unused-",
      streamArn: t.stack.streamArn,
      dlqUrl: t.stack.dlqUrl,
    },
    stackDir,
  );
});
afterAll(async () => {
  await stopTestStack(t);
  rmSync(stackDir, { recursive: true, force: true });
});

const doc = async (index: string, id: string) =>
  (await t.stack.search.get({ index, id }, { ignore: [404] })).body as {
    found: boolean;
    _source?: Record<string, unknown>;
  };

describe("producer API on the local stack", () => {
  it("npm run invoke with the sample POST writes the row, and the change reaches OpenSearch", async () => {
    const { stdout, stderr } = await run(
      "npm",
      ["run", "-s", "invoke", "--", "ProducerFunction", "-e", "events/api-post-event.json"],
      {
        env: { ...process.env, LOCAL_STACK_DIR: stackDir, DATABASE_URL: "" },
        timeout: 60_000,
      },
    );
    expect(stderr).toContain("DATABASE_URL from the running local stack");
    const result = JSON.parse(stdout.trim().split("\n").at(-1) as string);
    expect(result.statusCode).toBe(201);
    expect(result.headers.Location).toBe(`/events/${SAMPLE_ID}`);

    const row = await t.db.query("SELECT event_name, event_data FROM business_events WHERE id = $1", [
      SAMPLE_ID,
    ]);
    expect(row.rows).toEqual([{ event_name: "LoanCreated", event_data: stored(SAMPLE) }]);

    expect(await t.stack.settle(30_000)).toBe(true);
    const routing = t.stack.pipeline.routingFor("public", "business_events");
    const indexed = await doc(routing.index, SAMPLE_ID);
    expect(indexed._source).toMatchObject({
      id: SAMPLE_ID,
      event_type: "LoanCreated",
      event_data: stored(SAMPLE),
    });
    expect((await doc(routing.routes[0]?.index as string, SAMPLE_ID)).found).toBe(true);
  });

  it("serves the same handler over HTTP: batch, read back, health, unknown route", async () => {
    const url = t.stack.producerApiUrl as string;
    const post = await fetch(`${url}/events/batch`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(BATCH),
    });
    expect(post.status).toBe(200);
    expect(await post.json()).toMatchObject({ created: 2, duplicate: 0, conflict: 0 });

    const first = BATCH.events[0];
    const read = await fetch(`${url}/events/${first.eventHeader.uuid}`);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(stored(first));
    expect((await fetch(`${url}/health`)).status).toBe(200);
    expect((await fetch(`${url}/nope`)).status).toBe(404);
    // A percent-encoding that is not UTF-8 is the client's mistake (it was a 500 from the local server).
    const malformed = await fetch(`${url}/events/%E0%A4%A`);
    expect([malformed.status, await malformed.json()]).toEqual([400, { message: "Bad Request" }]);

    const bad = await fetch(`${url}/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: readFileSync("events/bodies/invalid-event.json"),
    });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { fields: unknown[] }).fields.length).toBeGreaterThanOrEqual(3);

    expect(await t.stack.settle(30_000)).toBe(true);
    const routing = t.stack.pipeline.routingFor("public", "business_events");
    for (const event of BATCH.events)
      expect((await doc(routing.index, event.eventHeader.uuid)).found).toBe(true);
    // Neither is a LoanCreated event: the filtered index does not get them.
    for (const event of BATCH.events)
      expect((await doc(routing.routes[0]?.index as string, event.eventHeader.uuid)).found).toBe(false);
  });
});
