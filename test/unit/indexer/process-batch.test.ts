import { SendMessageBatchCommand, SQSClient } from "@aws-sdk/client-sqs";
import { mockClient } from "aws-sdk-client-mock";
import { beforeEach, describe, expect, it } from "vitest";
import { type BatchDeps, processBatch } from "../../../functions/indexer/process-batch";
import { DEAD_LETTER_KIND, type PermanentFailureMessage } from "../../../shared/dead-letters";
import { parsePipelineConfig } from "../../../shared/pipeline-config";
import { changeRecord, controlMessage, dmsMessage, rawRecord } from "../../helpers/dms";
import { recordingLogger, TEST_BATCH_SETTINGS, testContext } from "../../helpers/lambda";
import { inProcessBulkClient, newEmulator } from "../../helpers/search";

const sqsMock = mockClient(SQSClient);
const pipeline = parsePipelineConfig(
  "tables: {public.orders: {primaryKey: [id], index: orders, columns: {amount: number}}}",
);
const T0 = Date.UTC(2026, 10, 21, 12);
const DLQ = "https://sqs.eu-west-1.amazonaws.com/123456789012/dlq";

function setup(overrides: Partial<BatchDeps> = {}) {
  const emulator = newEmulator();
  const search = inProcessBulkClient(emulator);
  const deps: BatchDeps = {
    search,
    sqs: new SQSClient({ region: "eu-west-1" }),
    pipeline,
    logger: recordingLogger(),
    settings: { ...TEST_BATCH_SETTINGS, dlqUrl: DLQ },
    sleep: async () => {},
    ...overrides,
  };
  return { emulator, search, deps };
}
const sentMessages = () =>
  sqsMock
    .commandCalls(SendMessageBatchCommand)
    .flatMap((c) =>
      (c.args[0].input.Entries ?? []).map((e) => JSON.parse(e.MessageBody ?? "") as PermanentFailureMessage),
    );
const doc = (emulator: ReturnType<typeof newEmulator>, id: string) =>
  emulator.indices.get("orders")?.docs.get(id)?.source;

beforeEach(() => {
  sqsMock.reset();
  sqsMock.on(SendMessageBatchCommand).callsFake((input: { Entries: { Id: string }[] }) => ({
    Successful: input.Entries.map((e) => ({ Id: e.Id })),
    Failed: [],
  }));
});

describe("processBatch", () => {
  it("applies inserts, updates and deletes and acknowledges the batch", async () => {
    const { emulator, deps } = setup();
    const records = [
      changeRecord({ op: "insert", row: { id: 1, amount: "10" }, commitMs: T0 }, 0),
      changeRecord({ op: "insert", row: { id: 2, amount: "20" }, commitMs: T0 + 1 }, 1),
      changeRecord({ op: "update", row: { id: 1, amount: "11" }, commitMs: T0 + 2 }, 2),
      changeRecord({ op: "delete", row: { id: 2, amount: null }, commitMs: T0 + 3 }, 3),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(doc(emulator, "1")).toEqual({ id: 1, amount: 11 });
    expect(doc(emulator, "2")).toBeUndefined();
    expect(stats).toMatchObject({ received: 4, compacted: 2, indexed: 1, deleted: 1, deadLettered: 0 });
  });

  it("dead-letters an insert of a key no document can have, and acknowledges its delete (nothing to delete)", async () => {
    const { emulator, deps } = setup();
    const long = "x".repeat(600);
    const records = [
      changeRecord({ op: "insert", row: { id: long, amount: "1" }, commitMs: T0 }, 0),
      changeRecord({ op: "insert", row: { id: 3, amount: "3" }, commitMs: T0 + 1 }, 1),
      changeRecord({ op: "delete", row: { id: long, amount: null }, commitMs: T0 + 2 }, 2),
      changeRecord({ op: "delete", row: { id: "", amount: null }, commitMs: T0 + 3 }, 3),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(sentMessages().map((m) => [m.error.type, m.source.sequenceNumber])).toEqual([
      ["invalid_primary_key", records[0]?.kinesis.sequenceNumber],
    ]);
    expect(stats).toMatchObject({ indexed: 1, deleted: 0, nothingToDelete: 2, deadLettered: 1 });
    expect(doc(emulator, "3")).toEqual({ id: 3, amount: 3 });
  });

  it("sends poison records to the DLQ with everything needed to replay them, and indexes the good ones", async () => {
    const { emulator, deps } = setup();
    const poison = rawRecord('{"data": {"id": 9}, "metadata": {', 0);
    const records = [
      poison,
      changeRecord({ op: "insert", row: { id: 3, amount: "x" } }, 1),
      changeRecord({ op: "insert", row: { id: 4, amount: "4" } }, 2),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(doc(emulator, "4")).toEqual({ id: 4, amount: 4 });
    expect(stats.deadLettered).toBe(2);
    const [first, second] = sentMessages();
    expect(first).toMatchObject({
      kind: DEAD_LETTER_KIND,
      error: { stage: "parse", type: "invalid_json" },
      source: {
        sequenceNumber: poison.kinesis.sequenceNumber,
        shardId: "shardId-000000000000",
        partitionKey: "public.orders",
        eventSourceARN: poison.eventSourceARN,
      },
      data: poison.kinesis.data,
      functionName: "cdc-indexer-test",
    });
    expect(second).toMatchObject({
      error: { stage: "plan", type: "coercion_failed" },
      source: { table: "public.orders", operation: "insert" },
    });
  });

  it("says when a record's data was not base64 at all (a hand-written event with the DMS record as it is)", async () => {
    const { deps } = setup();
    const good = changeRecord({ op: "insert", row: { id: 5, amount: "5" } }, 0);
    const plain = Buffer.from(good.kinesis.data, "base64").toString("utf8");
    const unencoded = { ...good, kinesis: { ...good.kinesis, data: plain, sequenceNumber: "2" } };
    const garbled = rawRecord('{"data": {"id": 9}, "metadata": {', 1);
    await processBatch([unencoded, garbled], testContext(), deps);
    const [first, second] = sentMessages() as { error: { type: string; reason: string } }[];
    expect(first?.error.type).toBe("invalid_json");
    expect(first?.error.reason).toContain(
      'the data holds "{" at 0, which base64 does not: Kinesis delivers record data base64-encoded',
    );
    // Base64 of text that is not JSON: JSON's reason alone.
    expect(second?.error.type).toBe("invalid_json");
    expect(second?.error.reason).not.toContain("base64");
  });

  it("keeps every digit of an int8 past 2^53 (DMS writes up to 16 digits as a number), as a key and as a value", async () => {
    const { emulator, deps } = setup();
    /** A record with these number texts in place of the row's zeros (JSON.stringify would round them). */
    const written = (
      op: "insert" | "update",
      row: Record<string, string>,
      before: Record<string, string> | undefined,
      commitMs: number,
      index: number,
    ) => {
      const zeros = (r: Record<string, string>) => Object.fromEntries(Object.keys(r).map((k) => [k, 0]));
      let text = JSON.stringify(
        dmsMessage({ op, row: zeros(row), ...(before && { before: zeros(before) }), commitMs }),
      );
      for (const [key, digits] of Object.entries(row))
        text = text.replace(`"${key}":0`, `"${key}":${digits}`);
      for (const [key, digits] of Object.entries(before ?? {}))
        text = text.replace(`"before-image":{"${key}":0`, `"before-image":{"${key}":${digits}`);
      return rawRecord(text, index);
    };
    const records = [
      written("insert", { id: "9007199254740993", n: "9999999999999999" }, undefined, T0, 0),
      written("insert", { id: "9007199254740992", amount: "9007199254740995" }, undefined, T0 + 1, 1),
      // The key changes from 2^53 + 1 to 2^53 + 5: the old document goes.
      written(
        "update",
        { id: "9007199254740997", n: "-9007199254740993" },
        { id: "9007199254740993" },
        T0 + 2,
        2,
      ),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(stats.deadLettered).toBe(0);
    const docs = emulator.indices.get("orders")?.docs;
    expect([...(docs?.keys() ?? [])].sort()).toEqual(["9007199254740992", "9007199254740997"]);
    const asWritten = (id: string) => {
      const d = docs?.get(id);
      return JSON.stringify(d?.exact ?? d?.source);
    };
    expect(asWritten("9007199254740997")).toBe('{"id":9007199254740997,"n":-9007199254740993}');
    // A column declared `number` takes it as digits, like DMS's numeric strings.
    expect(asWritten("9007199254740992")).toBe('{"id":9007199254740992,"amount":"9007199254740995"}');
  });

  it("refuses an int8 DMS wrote in scientific notation (17+ digits, the last ones lost) in an integer column", async () => {
    const { emulator, deps } = setup({
      pipeline: parsePipelineConfig(
        "tables: {public.orders: {primaryKey: [id], index: orders, columns: {n: integer, ratio: number}}}",
      ),
    });
    /** A record whose n (and ratio) are these number texts, as DMS writes them. */
    const withNumbers = (id: number, n: string, ratio: string, index: number) =>
      rawRecord(
        JSON.stringify(dmsMessage({ op: "insert", row: { id, n: 0, ratio: 0 }, commitMs: T0 + index }))
          .replace('"n":0', `"n":${n}`)
          .replace('"ratio":0', `"ratio":${ratio}`),
        index,
      );
    const records = [
      // 12345678901234567 as DMS renders it: 15 significant digits, so a double reads it "exactly".
      withNumbers(1, "1.23456789012346E+16", "1.23456789012346E+16", 0),
      // 10000000000000001: the same loss, shorter.
      withNumbers(2, "1E+16", "1", 1),
      // Integers written digit by digit are exact, past 2^53 too; so is a small one in exponent form.
      withNumbers(3, "9007199254740990", "2.5E-7", 2),
      withNumbers(4, "1E+3", "1", 3),
    ];
    const { stats } = await processBatch(records, testContext(), deps);
    expect(stats.deadLettered).toBe(2);
    const reasons = sentMessages().map((m) => (m as { error: { type: string; reason: string } }).error);
    expect(reasons).toEqual([
      expect.objectContaining({ type: "coercion_failed", reason: expect.stringContaining("column n: ") }),
      expect.objectContaining({ type: "coercion_failed", reason: expect.stringContaining("not exact") }),
    ]);
    const docs = emulator.indices.get("orders")?.docs;
    expect([...(docs?.keys() ?? [])].sort()).toEqual(["3", "4"]);
    expect(docs?.get("3")?.source).toMatchObject({ n: 9007199254740990, ratio: 2.5e-7 });
    expect(docs?.get("4")?.source).toMatchObject({ n: 1000 });
  });

  it("keys a row by an int8 past 2^53 that a double holds exactly, and refuses one DMS wrote in scientific notation", async () => {
    const { emulator, deps } = setup();
    const keyed = (id: string, index: number) =>
      rawRecord(
        JSON.stringify(
          dmsMessage({ op: "insert", row: { id: 0, amount: "1" }, commitMs: T0 + index }),
        ).replace('"id":0', `"id":${id}`),
        index,
      );
    // 16 digits, 15 significant: exact as a double, written in full (not lossy).
    const { stats } = await processBatch(
      [keyed("9007199254740990", 0), keyed("9100000000000010", 1), keyed("9.10000000000001E+15", 2)],
      testContext(),
      deps,
    );
    expect([...(emulator.indices.get("orders")?.docs.keys() ?? [])].sort()).toEqual([
      "9007199254740990",
      "9100000000000010",
    ]);
    expect(stats.deadLettered).toBe(1);
    expect(sentMessages()).toEqual([
      expect.objectContaining({ error: expect.objectContaining({ type: "lossy_primary_key" }) }),
    ]);
  });

  it("dead-letters a value nested deeper than OpenSearch reads a document, and indexes the rest", async () => {
    const { emulator, deps } = setup({
      pipeline: parsePipelineConfig(
        "tables: {public.orders: {primaryKey: [id], index: orders, columns: {attributes: json}}}",
      ),
    });
    const nested = (levels: number) => `${"[".repeat(levels)}${"]".repeat(levels)}`;
    // A value DMS would never send as an object, written by hand: too deep even to pass to JSON.stringify.
    const handWritten = JSON.stringify(dmsMessage({ op: "insert", row: { id: 6, extra: 0 } })).replace(
      '"extra":0',
      `"extra":${nested(20_000)}`,
    );
    const records = [
      changeRecord({ op: "insert", row: { id: 5, attributes: nested(5_000) } }, 0),
      rawRecord(handWritten, 1),
      changeRecord({ op: "insert", row: { id: 7, attributes: nested(999) } }, 2),
      changeRecord({ op: "insert", row: { id: 8, attributes: nested(1_000) } }, 3),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    // The document's root is a level: a json column may nest 999 more.
    expect(emulator.indices.get("orders")?.docs.has("7")).toBe(true);
    expect(stats.deadLettered).toBe(3);
    expect(sentMessages().map((m) => [m.error.type, m.error.reason.slice(0, 48)])).toEqual([
      ["too_deep", "column attributes: nested deeper than 999 levels"],
      ["too_deep", "column extra: nested deeper than 999 levels insi"],
      ["too_deep", "column attributes: nested deeper than 999 levels"],
    ]);
  });

  it("dead-letters a mapping conflict reported by OpenSearch with its status and type", async () => {
    const { emulator, deps } = setup();
    await processBatch(
      [changeRecord({ op: "insert", row: { id: 1, amount: "1", note: 5 } }, 0)],
      testContext(),
      deps,
    );
    const { response } = await processBatch(
      [changeRecord({ op: "insert", row: { id: 2, amount: "2", note: "not a number" } }, 1)],
      testContext(),
      deps,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(sentMessages()[0]?.error).toMatchObject({
      stage: "index",
      status: 400,
      type: "mapper_parsing_exception",
      index: "orders",
      documentId: "2",
    });
    expect(doc(emulator, "2")).toBeUndefined();
  });

  describe("a record that cannot be indexed, whose row has changed since", () => {
    const bad = (id: number, commitMs: number, extra: Partial<Parameters<typeof changeRecord>[0]> = {}) =>
      changeRecord({ op: "update", row: { id, amount: "not a number" }, commitMs, ...extra }, 0);
    const good = (id: number, commitMs: number) =>
      changeRecord({ op: "update", row: { id, amount: String(id) }, commitMs }, 1);

    it("is acknowledged as superseded, not dead-lettered, when its document holds a later version (a redrive after the fix)", async () => {
      const { emulator, deps } = setup();
      // Live: the bad change goes to the DLQ, the fix after it is applied.
      await processBatch([bad(5, T0)], testContext(), deps);
      await processBatch([good(5, T0 + 10)], testContext(), deps);
      expect(sentMessages()).toHaveLength(1);
      // The redrive replays the dead letter: the row has changed since, so it settles.
      const { response, stats } = await processBatch([bad(5, T0)], testContext(), deps);
      expect(response.batchItemFailures).toEqual([]);
      expect(stats).toMatchObject({ superseded: 1, deadLettered: 0 });
      expect(sentMessages()).toHaveLength(1);
      expect(doc(emulator, "5")).toEqual({ id: 5, amount: 5 });
      expect((deps.logger as ReturnType<typeof recordingLogger>).lines).toContainEqual(
        expect.objectContaining({ message: expect.stringContaining("superseded, not dead-lettered") }),
      );
    });

    it("is superseded by the fix in the same batch, and each stays its own: the other rows' are dead-lettered", async () => {
      const { deps } = setup();
      await processBatch([good(6, T0)], testContext(), deps); // row 6 indexed before its bad change
      const records = [
        changeRecord({ op: "update", row: { id: 5, amount: "x" }, commitMs: T0 + 1 }, 0),
        changeRecord({ op: "update", row: { id: 6, amount: "x" }, commitMs: T0 + 2 }, 1),
        changeRecord({ op: "update", row: { id: 5, amount: "5" }, commitMs: T0 + 3 }, 2),
      ];
      const { stats } = await processBatch(records, testContext(), deps);
      expect(stats).toMatchObject({ superseded: 1, deadLettered: 1 });
      expect(sentMessages().map((m) => m.source.sequenceNumber)).toEqual([
        records[1]?.kinesis.sequenceNumber,
      ]);
    });

    it("is dead-lettered when its document is older, gone (a delete since), or when it moved its row's key", async () => {
      const { deps } = setup();
      await processBatch([good(7, T0), good(8, T0), good(9, T0 + 10)], testContext(), deps);
      await processBatch(
        [changeRecord({ op: "delete", row: { id: 8, amount: null }, commitMs: T0 + 10 }, 0)],
        testContext(),
        deps,
      );
      const { stats } = await processBatch(
        [
          bad(7, T0 + 5), // the document's version is older: this is the row's latest change
          bad(8, T0 + 5), // deleted since: no version left to compare once OpenSearch forgets it
          bad(9, T0 + 5, { before: { id: 99 } }), // moved from key 99 (its delete there is its own)
        ],
        testContext(),
        deps,
      );
      expect(stats).toMatchObject({ superseded: 0, deadLettered: 3 });
    });

    it("is superseded when OpenSearch refused its document (index stage) and a later change of the row is there", async () => {
      const { deps } = setup();
      await processBatch(
        [changeRecord({ op: "insert", row: { id: 1, amount: "1", note: 5 }, commitMs: T0 }, 0)],
        testContext(),
        deps,
      );
      const refused = changeRecord(
        { op: "update", row: { id: 1, amount: "1", note: "not a number" }, commitMs: T0 - 10 },
        1,
      );
      const { stats } = await processBatch([refused], testContext(), deps);
      expect(stats).toMatchObject({ superseded: 1, deadLettered: 0 });
    });

    it("is dead-lettered as before when the versions cannot be read", async () => {
      const { emulator, deps } = setup();
      await processBatch([good(5, T0 + 10)], testContext(), deps);
      const search = inProcessBulkClient(emulator);
      search.versions = async () => {
        throw Object.assign(new Error("Response Error 403"), { name: "ResponseError" });
      };
      const { response, stats } = await processBatch([bad(5, T0)], testContext(), { ...deps, search });
      expect(response.batchItemFailures).toEqual([]);
      expect(stats).toMatchObject({ superseded: 0, deadLettered: 1 });
      expect((deps.logger as ReturnType<typeof recordingLogger>).lines).toContainEqual(
        expect.objectContaining({
          level: "warn",
          message: expect.stringContaining("could not read whether"),
        }),
      );
    });
  });

  it("reports the lowest retryable sequence number and does not dead-letter records Lambda will resend", async () => {
    const { emulator, deps } = setup();
    const records = [
      changeRecord({ op: "insert", row: { id: 1, amount: "1" } }, 0),
      rawRecord("not json", 1),
      changeRecord({ op: "insert", row: { id: 2, amount: "2" } }, 2),
      rawRecord("not json either", 3),
    ];
    emulator.faults.rejectNextItems = 1_000_000; // every item rejected with 429, for longer than the budget
    const { response, stats } = await processBatch(records, testContext(2_000), {
      ...deps,
      sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
    });
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.kinesis.sequenceNumber }]);
    expect(stats.retried).toBeGreaterThan(0);
    expect(sentMessages()).toEqual([]);
  });

  it("says why records are left for retry: the cluster's answer, or a connection it never made", async () => {
    const rejected = setup();
    rejected.emulator.faults.rejectNextItems = 1_000_000; // 429 on every item
    const records = [1, 2].map((id, i) => changeRecord({ op: "insert", row: { id, amount: "1" } }, i));
    await processBatch(records, testContext(300), rejected.deps);
    const logged = (deps: BatchDeps) =>
      (deps.logger as ReturnType<typeof recordingLogger>).lines.filter((l) =>
        l.message.includes("left for retry"),
      );
    expect(logged(rejected.deps)).toEqual([
      {
        level: "warn",
        message: "records left for retry: OpenSearch did not take these actions in this invocation",
        extra: {
          actions: 2,
          causes: [
            { status: 429, type: "es_rejected_execution_exception", count: 2, reason: expect.any(String) },
          ],
        },
      },
    ]);

    // A cluster whose certificate TLS refuses (a local OPENSEARCH_URL with a self-signed one): before,
    // nothing at all was logged, the records only stayed in flight.
    const refused = setup({
      search: {
        bulk: async () => {
          throw Object.assign(new Error("self-signed certificate"), { name: "ConnectionError" });
        },
        versions: async () => new Map(),
      },
    });
    const { response } = await processBatch(records, testContext(300), refused.deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[0]?.kinesis.sequenceNumber }]);
    expect(logged(refused.deps).map((l) => l.extra)).toEqual([
      {
        actions: 2,
        causes: [{ status: 0, type: "ConnectionError", count: 2, reason: "self-signed certificate" }],
      },
    ]);
  });

  it("dead-letters permanent failures before the checkpoint only", async () => {
    const { emulator, deps } = setup();
    const records = [
      rawRecord("not json", 0),
      changeRecord({ op: "insert", row: { id: 2, amount: "2" } }, 1),
      rawRecord("bad", 2),
    ];
    emulator.faults.rejectNextItems = 1_000_000;
    const { response } = await processBatch(records, testContext(500), deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.kinesis.sequenceNumber }]);
    expect(sentMessages().map((m) => m.source.sequenceNumber)).toEqual([records[0]?.kinesis.sequenceNumber]);
  });

  it("retries items rejected for a while and then applies them", async () => {
    const { emulator, deps } = setup();
    emulator.faults.rejectNextItems = 3;
    const records = [1, 2, 3, 4].map((id, i) =>
      changeRecord({ op: "insert", row: { id, amount: String(id) } }, i),
    );
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(stats).toMatchObject({ indexed: 4, retried: 3 });
  });

  it("never acknowledges a record the DLQ did not accept", async () => {
    const { deps } = setup();
    sqsMock.on(SendMessageBatchCommand).rejects(new Error("AccessDenied"));
    const records = [
      changeRecord({ op: "insert", row: { id: 1, amount: "1" } }, 0),
      rawRecord("nope", 1),
      changeRecord({ op: "insert", row: { id: 2, amount: "2" } }, 2),
    ];
    const { response, stats } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.kinesis.sequenceNumber }]);
    expect(stats.deadLettered).toBe(0);
  });

  it("treats entries SQS reports as Failed as not dead-lettered", async () => {
    const { deps } = setup();
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: "0", MessageId: "m", MD5OfMessageBody: "x" }],
      Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }],
    });
    const records = [rawRecord("a", 0), rawRecord("b", 1)];
    const { response } = await processBatch(records, testContext(), deps);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: records[1]?.kinesis.sequenceNumber }]);
  });

  it("logs 'record dead-lettered' only for records the queue accepted; refused ones get their own line", async () => {
    const { deps } = setup();
    sqsMock.on(SendMessageBatchCommand).resolves({
      Successful: [{ Id: "0", MessageId: "m", MD5OfMessageBody: "x" }],
      Failed: [{ Id: "1", Code: "InternalError", SenderFault: false }],
    });
    const records = [rawRecord("a", 0), rawRecord("b", 1)];
    await processBatch(records, testContext(), deps);
    const lines = (
      deps.logger as unknown as { lines: { message: string; extra?: { sequenceNumber?: string } }[] }
    ).lines;
    const about = (message: string) =>
      lines.filter((l) => l.message === message).map((l) => l.extra?.sequenceNumber);
    expect(about("record dead-lettered")).toEqual([records[0]?.kinesis.sequenceNumber]);
    expect(about("dead-letter queue refused record; it will be retried")).toEqual([
      records[1]?.kinesis.sequenceNumber,
    ]);
  });

  it("replaces the data with a pointer when the DLQ message would be too large", async () => {
    const { deps } = setup({});
    deps.settings = { ...deps.settings, dlqMaxMessageBytes: 2_000 };
    const big = rawRecord(`{"broken": "${"x".repeat(5_000)}`, 0);
    await processBatch([big], testContext(), deps);
    const [message] = sentMessages();
    expect(message?.data).toBeUndefined();
    expect(message).toMatchObject({
      dataOmitted: "too_large",
      source: {
        sequenceNumber: big.kinesis.sequenceNumber,
        shardId: "shardId-000000000000",
        eventSourceARN: big.eventSourceARN,
      },
    });
  });

  it("counts control records, and an older change replayed after a newer one as stale", async () => {
    const { emulator, deps } = setup();
    const control = rawRecord(JSON.stringify(controlMessage()), 0);
    const insert = changeRecord({ op: "insert", row: { id: 1, amount: "1" }, commitMs: T0 }, 1);
    const update = changeRecord({ op: "update", row: { id: 1, amount: "2" }, commitMs: T0 + 1_000 }, 2);
    await processBatch([control, update], testContext(), deps);
    const { stats } = await processBatch([control, insert], testContext(), deps);
    expect(stats).toMatchObject({ controlSkipped: 1, stale: 1, indexed: 0 });
    expect(doc(emulator, "1")).toEqual({ id: 1, amount: 2 });
  });

  it("splits a request the cluster refuses as too large", async () => {
    const emulator = new (await import("../../../tools/opensearch-emulator/server")).OpenSearchEmulator({
      maxContentLength: 600,
    });
    const { deps } = setup({ search: inProcessBulkClient(emulator) });
    const records = [1, 2, 3, 4].map((id, i) =>
      changeRecord({ op: "insert", row: { id, amount: "1", pad: "p".repeat(100) } }, i),
    );
    const tooBig = changeRecord({ op: "insert", row: { id: 9, amount: "1", pad: "p".repeat(1000) } }, 4);
    const { response, stats } = await processBatch([...records, tooBig], testContext(), deps);
    expect(response.batchItemFailures).toEqual([]);
    expect(stats.indexed).toBe(4);
    expect(sentMessages()[0]?.error).toMatchObject({ status: 413, stage: "index", documentId: "9" });
  });
});
