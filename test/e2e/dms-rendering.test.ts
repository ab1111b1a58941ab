/**
 * Records as DMS renders them with the task's settings (shared/dms-settings.ts): booleans as strings, and
 * LOBs cut at LobMaxSize. A declared boolean is indexed as a boolean; a value that reached the LOB limit
 * is dead-lettered as `lob_truncated`, never indexed as if it were whole; one just under is indexed whole.
 * Bigints past 2^53 (written with up to 16 digits) keep every digit. A row reads the same in a change, a
 * full load and verify.
 */
import { describe, expect, it } from "vitest";
import { LOB_MAX_BYTES } from "../../shared/dms-settings";
import { reloadIntoNewIndex, useTestStack, verifyStack } from "../helpers/stack";

const logged: string[] = [];
const testStack = useTestStack({ log: (line) => logged.push(line) });

describe("DMS rendering on the local stack", () => {
  it("indexes declared booleans as booleans and refuses values cut at the LOB limit", async () => {
    const { db, stack } = testStack();
    const bigJson = (bytes: number) => JSON.stringify({ note: "x".repeat(bytes - 12) });
    await db.query(
      `INSERT INTO orders (id, status, amount, active, attributes) VALUES
         (1, 'small', 1, false, $1), (2, 'too-big', 1, true, $2), (3, 'under', 1, true, $3)`,
      [bigJson(100), bigJson(LOB_MAX_BYTES + 5_000), bigJson(LOB_MAX_BYTES - 100)],
    );
    expect(await stack.settle(60_000)).toBe(true);

    const index = stack.pipeline.routingFor("public", "orders").index;
    const get = async (id: string) =>
      (await stack.search.get({ index, id }, { ignore: [404] })).body as {
        found: boolean;
        _source?: { active: unknown; attributes: { note: string } };
      };
    expect((await get("1"))._source?.active).toBe(false);
    expect((await get("3"))._source?.attributes.note.length).toBe(LOB_MAX_BYTES - 112);
    expect((await get("2")).found).toBe(false);

    const letters = (await stack.deadLetters()).map(
      (m) => JSON.parse(m) as { error: Record<string, string> },
    );
    expect(letters.map((l) => l.error.type)).toEqual(["lob_truncated"]);
    expect(letters[0]?.error.reason).toMatch(/attributes: \d+ bytes reaches the DMS LOB limit/);

    const report = await verifyStack(stack);
    expect(report.differences).toEqual([]);
    expect(report.unindexable.map((u) => [u.key, u.reason.split(":")[0]])).toEqual([
      ["2", "column attributes"],
    ]);
  });

  it("reads a row as the same text in a change, a full load and verify (char padding kept)", async () => {
    const { db, stack } = testStack();
    // currency is char(3): 'US' is stored and sent as 'US ' (a ::text cast would drop the blank).
    await db.query("INSERT INTO orders (id, status, amount, currency) VALUES (20, 'c', 1, 'US')");
    expect(await stack.settle(60_000)).toBe(true);
    const index = stack.pipeline.routingFor("public", "orders").index;
    const currency = async () =>
      ((await stack.search.get({ index, id: "20" })).body._source as { currency: string }).currency;
    expect(await currency()).toBe("US ");
    expect((await verifyStack(stack)).differences).toEqual([]);
    // The full load's copy of the row (a reload) is the same document.
    await reloadIntoNewIndex(stack, "public.orders");
    expect(await currency()).toBe("US ");
    expect((await verifyStack(stack)).differences).toEqual([]);
  });

  it("indexes a text[] column as a list, each element searchable, the same in a full load and verify", async () => {
    const { db, stack } = testStack();
    const tags = ["gift", "next day", 'say "hi"', "back\\slash", "NULL", null, "{x,y}", "é"];
    await db.query("INSERT INTO orders (id, status, amount, tags) VALUES (50, 'tagged', 1, $1)", [tags]);
    await db.query("INSERT INTO orders (id, status, amount, tags) VALUES (51, 'untagged', 1, '{}')");
    expect(await stack.settle(60_000)).toBe(true);
    const index = stack.pipeline.routingFor("public", "orders").index;
    const tagsOf = async (id: string) =>
      ((await stack.search.get({ index, id })).body._source as { tags: unknown }).tags;
    expect(await tagsOf("50")).toEqual(tags);
    expect(await tagsOf("51")).toEqual([]);
    const searched = async (tag: string) =>
      (
        await stack.search.search({ index, body: { query: { term: { "tags.keyword": tag } } } })
      ).body.hits.hits.map((h) => (h as { _id: string })._id);
    await stack.search.indices.refresh({ index });
    expect(await searched("next day")).toEqual(["50"]);
    expect(await searched('say "hi"')).toEqual(["50"]);
    expect((await verifyStack(stack)).differences).toEqual([]);
    // The full load's copy reads the same.
    await reloadIntoNewIndex(stack, "public.orders");
    expect(await tagsOf("50")).toEqual(tags);
    expect((await verifyStack(stack)).differences).toEqual([]);
  });

  it("keeps every digit of bigints past 2^53, as document ids and as values", async () => {
    const { db, stack } = testStack();
    await db.query(
      `INSERT INTO orders (id, customer_id, status, amount) VALUES
         (9007199254740993, 9007199254740995, 'a', 1), (9007199254740992, -9999999999999999, 'b', 1)`,
    );
    await db.query("UPDATE orders SET customer_id = 9007199254740997 WHERE id = 9007199254740993");
    expect(await stack.settle(60_000)).toBe(true);
    const index = stack.pipeline.routingFor("public", "orders").index;
    // Read as text: a JSON client would round the numbers again.
    const source = async (id: string) => {
      const response = await fetch(`${stack.opensearchUrl}/${index}/_source/${id}`);
      return { status: response.status, text: await response.text() };
    };
    expect((await source("9007199254740993")).text).toContain('"customer_id":9007199254740997');
    expect((await source("9007199254740992")).text).toContain('"customer_id":-9999999999999999');
    expect((await verifyStack(stack)).differences).toEqual([]);
  });

  it("keys a row whose key is longer than a Kinesis partition key takes, and keeps capturing", async () => {
    const { db, stack } = testStack();
    // business_events.id is varchar(255): with "public.business_events." the key passes Kinesis's 256.
    const id = `evt-${"k".repeat(246)}`;
    await db.query(
      "INSERT INTO business_events (id, event_name, event_type, event_data) VALUES ($1, 'E', 'Long', '{}')",
      [id],
    );
    await db.query("UPDATE business_events SET event_type = 'Longer' WHERE id = $1", [id]);
    await db.query("INSERT INTO orders (id, status, amount) VALUES (30, 'after', 1)");
    expect(await stack.settle(60_000)).toBe(true);
    expect(stack.capture?.error).toBeUndefined();
    const doc = await stack.search.get({
      index: stack.pipeline.routingFor("public", "business_events").index,
      id,
    });
    expect((doc.body._source as { event_type: string }).event_type).toBe("Longer");
    expect((await verifyStack(stack)).differences).toEqual([]);
  });

  it("leaves out a change larger than a Kinesis record with a warning; the changes after it flow", async () => {
    const { db, stack } = testStack();
    const lob = "y".repeat(LOB_MAX_BYTES + 1_000); // each column is cut to the LOB limit: two exceed 1 MiB
    await db.query("INSERT INTO orders (id, status, amount, attributes) VALUES (40, $1, 1, $2)", [
      lob,
      JSON.stringify({ note: lob }),
    ]);
    await db.query("INSERT INTO orders (id, status, amount) VALUES (41, 'after the big one', 1)");
    expect(await stack.settle(60_000)).toBe(true);
    expect(stack.capture?.error).toBeUndefined();
    expect(stack.capture?.stats.tooLarge).toBe(1);
    expect(logged.join("\n")).toMatch(
      /capture: a change of public\.orders is \d+ bytes, more than a Kinesis record holds/,
    );
    const index = stack.pipeline.routingFor("public", "orders").index;
    expect((await stack.search.get({ index, id: "41" })).body.found).toBe(true);
    expect((await stack.search.get({ index, id: "40" }, { ignore: [404] })).body.found).toBe(false);
    // verify knows why row 40 is not there: its values reach the LOB limit, which the indexer refuses.
    const report = await verifyStack(stack);
    expect(report.differences).toEqual([]);
    expect(report.unindexable.map((u) => u.key)).toContain("40");
  });

  it("indexes timestamps of any year PostgreSQL writes as PostgreSQL reads them (0001 stays 0001), in a change and a full load", async () => {
    const { db, stack } = testStack();
    const times = [
      "0001-01-01 00:00:00+00",
      "0050-06-15 12:30:00.25+00",
      "0099-12-31 23:59:59.999999+00",
      "1969-07-20 20:17:40+00",
      "9999-12-31 23:59:59+00",
    ];
    const ids = times.map((_, i) => 60 + i);
    for (const [i, t] of times.entries())
      await db.query("INSERT INTO orders (id, status, amount, created_at) VALUES ($1, 'time', 1, $2)", [
        ids[i],
        t,
      ]);
    expect(await stack.settle(60_000)).toBe(true);
    // What PostgreSQL itself says each value is, as ISO 8601 in UTC.
    const { rows } = await db.query<{ id: string; iso: string }>(
      `SELECT id::text, to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS iso
         FROM orders WHERE id = ANY($1) ORDER BY id`,
      [ids],
    );
    const index = stack.pipeline.routingFor("public", "orders").index;
    const indexed = async () =>
      Promise.all(
        rows.map(async ({ id }) => {
          const { body } = await stack.search.get({ index, id });
          const value = (body._source as { created_at: string }).created_at;
          // The index keeps the fraction digits PostgreSQL wrote (none for a whole second): to six.
          const [seconds, fraction = ""] = value.replace(/Z$/, "").split(".");
          return `${seconds}.${fraction.padEnd(6, "0")}Z`;
        }),
      );
    const expected = rows.map((r) => r.iso);
    expect(await indexed()).toEqual(expected);
    await reloadIntoNewIndex(stack, "public.orders");
    expect(await indexed()).toEqual(expected);
  });
});
