/**
 * The producer API end to end against real PostgreSQL: every route and status code, idempotency
 * under 100 concurrent requests from ten "containers", and bad input that must never write a row.
 */
import { readFileSync } from "node:fs";
import { gzipSync } from "node:zlib";
import fc from "fast-check";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { databaseTimeoutProblem } from "../../functions/producer/http/problem";
import { type Answer, answer, businessEvent, request, stored, withAttribute } from "../helpers/http";
import { producerContainer, startDatabase } from "../helpers/producer";

let database: Awaited<ReturnType<typeof startDatabase>>;
let api: ReturnType<typeof producerContainer>;

beforeAll(async () => {
  database = await startDatabase();
  api = producerContainer({ DATABASE_URL: database.url });
});
afterAll(async () => {
  await api?.close();
  await database?.stop();
});
beforeEach(async () => {
  await database.db.query("TRUNCATE business_events");
});

const call = async (...args: Parameters<typeof request>) => answer(await api.invoke(request(...args)));
const rows = async () =>
  (
    await database.db.query(
      "SELECT id, event_name, event_type, created_date, saved_date, event_data FROM business_events ORDER BY id",
    )
  ).rows;

describe("POST /events", () => {
  it("creates the row from the header and stores the whole event as JSONB (201 + Location)", async () => {
    const event = businessEvent({}, "loan-created-1");
    const res = await call("POST", "/events", event);
    expect(res.status).toBe(201);
    expect(res.headers.location).toBe("/events/loan-created-1");
    expect(res.body).toEqual({ id: "loan-created-1", result: "created" });
    expect(await rows()).toEqual([
      {
        id: "loan-created-1",
        event_name: "LoanCreated",
        event_type: "LoanCreated",
        created_date: new Date("2024-01-15T10:30:00.000Z"),
        saved_date: new Date("2024-01-15T10:30:05.000Z"),
        event_data: stored(event),
      },
    ]);
  });

  it("answers 200 and writes nothing for the same uuid with the same event (key order does not matter)", async () => {
    const event = businessEvent({}, "same-1");
    expect((await call("POST", "/events", event)).status).toBe(201);
    const reordered = { eventBody: event.eventBody, eventHeader: { ...event.eventHeader } };
    const again = await call("POST", "/events", reordered);
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ id: "same-1", result: "duplicate" });
    expect(again.headers.location).toBe("/events/same-1");
    expect(await rows()).toHaveLength(1);
  });

  it("answers 409 for the same uuid with different content and keeps the first event", async () => {
    const first = businessEvent({}, "conflict-1");
    await call("POST", "/events", first);
    const res = await call("POST", "/events", businessEvent({ eventName: "LoanUpdated" }, "conflict-1"));
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "Conflict", status: 409, id: "conflict-1" });
    expect((await rows())[0]?.event_data).toEqual(stored(first));
  });

  it("stores, compares and answers numbers with every digit the client sent", async () => {
    const text = (amount: string) =>
      JSON.stringify(withAttribute(businessEvent({}, "digits-1"), "amount", 0)).replace(
        '"amount":0',
        `"amount":${amount},"ref":9007199254740993`,
      );
    const created = await call("POST", "/events", undefined, { raw: text("12345678901234567.891") });
    expect(created.status).toBe(201);
    const [row] = (
      await database.db.query<{ data: string }>(
        "SELECT event_data::text AS data FROM business_events WHERE id = 'digits-1'",
      )
    ).rows;
    expect(row?.data).toContain('"amount": 12345678901234567.891');
    expect(row?.data).toContain('"ref": 9007199254740993');
    const found = (await api.invoke(request("GET", "/events/digits-1"))) as { body: string };
    expect(found.body).toContain('"amount":12345678901234567.891');
    expect(found.body).toContain('"ref":9007199254740993');
    // The same digits are the same event; the digits a double would have kept are another.
    expect((await call("POST", "/events", undefined, { raw: text("12345678901234567.891") })).status).toBe(
      200,
    );
    expect((await call("POST", "/events", undefined, { raw: text("12345678901234568") })).status).toBe(409);
  });

  it("treats the same instant sent as ISO 8601 or epoch milliseconds as the same event", async () => {
    await call("POST", "/events", businessEvent({ createdDate: 1_705_314_600_000 }, "instant-1"));
    const iso = await call(
      "POST",
      "/events",
      businessEvent({ createdDate: "2024-01-15T11:30:00+01:00" }, "instant-1"),
    );
    expect(iso.status).toBe(200);
    const later = await call(
      "POST",
      "/events",
      businessEvent({ createdDate: "2024-01-15T11:30:00.001+01:00" }, "instant-1"),
    );
    expect(later.status).toBe(409);
  });

  it("accepts ISO 8601 dates with an offset and leaves savedDate optional", async () => {
    const event = businessEvent({ createdDate: "2024-01-15T12:30:00+02:00" }, "iso-1");
    delete (event.eventHeader as Record<string, unknown>).savedDate;
    expect((await call("POST", "/events", event)).status).toBe(201);
    const [row] = await rows();
    expect(row?.created_date).toEqual(new Date("2024-01-15T10:30:00Z"));
    expect(row?.saved_date).toBeNull();
  });

  it("refuses SQL metacharacters in header identifiers and stores them as plain text in the body", async () => {
    const injection = "x'); DROP TABLE business_events; --";
    const refused = await call("POST", "/events", businessEvent({ eventName: injection }, "sql-1"));
    expect(refused.status).toBe(400);
    expect(await rows()).toHaveLength(0);
    const event = withAttribute(businessEvent({}, "sql-2"), "note", injection);
    expect((await call("POST", "/events", event)).status).toBe(201);
    expect((await rows())[0]?.event_data.eventBody.entities[0].updatedAttributes.note).toBe(injection);
  });
});

describe("events too large for change data capture", () => {
  it("answers 413 and writes nothing when the stored JSONB would reach DMS's LOB limit, whatever the request size", async () => {
    // 12 KB of JSON; PostgreSQL stores each 1e300 written out in full (301 characters): over 512 KB.
    const event = withAttribute(
      businessEvent({}, "huge-1"),
      "figures",
      Array.from({ length: 2_000 }, () => 1e300),
    );
    expect(JSON.stringify(event).length).toBeLessThan(20_000);
    const res = await call("POST", "/events", event);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ status: 413, message: expect.stringContaining("change data capture") });
    expect(await rows()).toHaveLength(0);
    const batch = await call("POST", "/events/batch", { events: [businessEvent({}, "ok-1"), event] });
    expect(batch.status).toBe(413);
    expect(await rows()).toHaveLength(0);
    expect(
      (await call("POST", "/events", withAttribute(businessEvent({}, "fits-1"), "figures", [1e300]))).status,
    ).toBe(201);
  });

  it("refuses exactly what the indexer would dead-letter: the constraint's bound is LOB_MAX_BYTES", async () => {
    const { LOB_MAX_BYTES } = await import("../../shared/dms-settings");
    const sql = readFileSync("db/migrations/0002_event_data_fits_cdc.sql", "utf8");
    expect(sql).toContain(`octet_length(event_data::text) < ${LOB_MAX_BYTES}`);
  });
});

describe("validation: 400 lists the failing fields and nothing is written", () => {
  const cases: [string, unknown, string[]][] = [
    [
      "missing header fields",
      { eventHeader: {}, eventBody: { entities: [] } },
      [
        "eventHeader.uuid",
        "eventHeader.eventName",
        "eventHeader.eventType",
        "eventHeader.createdDate",
        "eventBody.entities",
      ],
    ],
    ["an unknown header field", businessEvent({ priority: "high" }), ["eventHeader"]],
    ["an unknown top-level field", { ...businessEvent(), extra: 1 }, ["(body)"]],
    ["a wrong type", businessEvent({ createdDate: true }), ["eventHeader.createdDate"]],
    [
      "a date without an offset",
      businessEvent({ createdDate: "2024-01-15T10:30:00" }),
      ["eventHeader.createdDate"],
    ],
    ["fractional epoch milliseconds", businessEvent({ createdDate: 1.5 }), ["eventHeader.createdDate"]],
    ["a uuid with SQL metacharacters", businessEvent({ uuid: "1' OR '1'='1" }), ["eventHeader.uuid"]],
    ["a blank event name", businessEvent({ eventName: "   " }), ["eventHeader.eventName"]],
    ["markup in the event type", businessEvent({ eventType: "<script>" }), ["eventHeader.eventType"]],
    ["an array body", [businessEvent()], ["(body)"]],
    ["a NUL character", businessEvent({ eventName: "Loan\u0000Created" }), ["eventHeader.eventName"]],
  ];
  it.each(cases)("%s", async (_name, body, paths) => {
    const res = await call("POST", "/events", body);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: "Bad Request", status: 400 });
    const fields = (res.body.fields as { path: string }[]).map((f) => f.path);
    for (const path of paths) expect(fields).toContain(path);
    expect(await rows()).toHaveLength(0);
  });

  it("names the unknown header field", async () => {
    const res = await call("POST", "/events", businessEvent({ priority: "high" }));
    expect(JSON.stringify(res.body.fields)).toContain("priority");
  });

  it("refuses malformed JSON, a lone surrogate, invalid UTF-8, a __proto__ key, a wrong content type and a compressed body", async () => {
    const valid = JSON.stringify(businessEvent());
    const attempts: [Parameters<typeof request>, number][] = [
      [["POST", "/events", undefined, { raw: `${valid.slice(0, -3)}` }], 400],
      [["POST", "/events", undefined, { raw: valid.replace("LoanCreated", "Loan\\ud800Created") }], 400],
      [["POST", "/events", undefined, { raw: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x7d]) }], 400],
      [
        [
          "POST",
          "/events",
          undefined,
          { raw: valid.replace('"eventBody"', '"__proto__":{"x":1},"eventBody"') },
        ],
        400,
      ],
      [["POST", "/events", undefined, { raw: valid, headers: { "content-type": "text/plain" } }], 415],
      [
        ["POST", "/events", undefined, { raw: gzipSync(valid), headers: { "content-encoding": "gzip" } }],
        415,
      ],
      [["POST", "/events", undefined, { raw: "" }], 400],
    ];
    for (const [args, status] of attempts) {
      const res = await call(...args);
      expect(res.status, JSON.stringify(res.body)).toBe(status);
      expect(res.body.status).toBe(status);
    }
    expect(await rows()).toHaveLength(0);
  });

  it("reads JSON as UTF-8 whatever charset the request names (RFC 8259), and says so when it is not", async () => {
    const valid = JSON.stringify(businessEvent());
    const latin1 = { "content-type": "application/json; charset=iso-8859-1" };
    expect((await call("POST", "/events", undefined, { raw: valid, headers: latin1 })).status).toBe(201);
    const cafe = Buffer.from(valid.replace("LoanCreated", "Caf\u00e9"), "latin1");
    const res = await call("POST", "/events", undefined, { raw: cafe, headers: latin1 });
    expect(res.status).toBe(400);
    expect(res.body.message).toBe(
      "The body is not valid UTF-8, the encoding of JSON: a charset parameter (here iso-8859-1) does not change it.",
    );
  });

  it("ignores a byte order mark before the JSON (RFC 8259), as text or base64 alike", async () => {
    const text = `\uFEFF${JSON.stringify(businessEvent())}`;
    expect((await call("POST", "/events", undefined, { raw: text })).status).toBe(201);
    const again = Buffer.from(`\uFEFF${JSON.stringify(businessEvent())}`, "utf8");
    expect((await call("POST", "/events", undefined, { raw: again })).status).toBe(201);
  });

  it("answers 413 for a body over the limit without parsing it", async () => {
    const huge = withAttribute(businessEvent(), "blob", "x".repeat(1_100_000));
    const res = await call("POST", "/events", huge);
    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ error: "Payload Too Large", status: 413, limit_bytes: 1_048_576 });
    expect(await rows()).toHaveLength(0);
  });

  it("answers 413 for one event over the stored-event limit", async () => {
    const big = withAttribute(businessEvent(), "blob", "x".repeat(300_000));
    const res = await call("POST", "/events", big);
    expect(res.status).toBe(413);
    expect(await rows()).toHaveLength(0);
  });
});

describe("POST /events/batch", () => {
  it("writes every event in one transaction and reports each one", async () => {
    const existing = businessEvent({}, "b-existing");
    await call("POST", "/events", existing);
    const fresh = businessEvent({}, "b-new");
    const clash = businessEvent({ eventType: "Other" }, "b-existing");
    const res = await call("POST", "/events/batch", { events: [fresh, existing, clash, fresh] });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      results: [
        { index: 0, id: "b-new", status: 201, result: "created", location: "/events/b-new" },
        { index: 1, id: "b-existing", status: 200, result: "duplicate", location: "/events/b-existing" },
        { index: 2, id: "b-existing", status: 409, result: "conflict" },
        { index: 3, id: "b-new", status: 200, result: "duplicate", location: "/events/b-new" },
      ],
      created: 1,
      duplicate: 2,
      conflict: 1,
    });
    expect((await rows()).map((r) => r.id)).toEqual(["b-existing", "b-new"]);
  });

  it("writes nothing when any event is invalid, and names it by index", async () => {
    const res = await call("POST", "/events/batch", {
      events: [
        businessEvent({}, "ok-1"),
        businessEvent({ createdDate: "yesterday" }, "bad-1"),
        businessEvent({}, "ok-2"),
      ],
    });
    expect(res.status).toBe(400);
    expect((res.body.fields as { path: string }[]).map((f) => f.path)).toEqual([
      "events[1].eventHeader.createdDate",
    ]);
    expect(await rows()).toHaveLength(0);
  });

  it("accepts 100 events and refuses 101", async () => {
    const events = Array.from({ length: 101 }, (_, i) => businessEvent({}, `many-${i}`));
    const over = await call("POST", "/events/batch", { events });
    expect(over.status).toBe(400);
    expect(JSON.stringify(over.body.fields)).toContain("events");
    expect(await rows()).toHaveLength(0);
    const ok = await call("POST", "/events/batch", { events: events.slice(0, 100) });
    expect(ok.status).toBe(200);
    expect(ok.body.created).toBe(100);
    expect(await rows()).toHaveLength(100);
  });

  it("rolls back the events already written when the transaction fails", async () => {
    await database.db.query(
      "ALTER TABLE business_events ADD CONSTRAINT test_no_poison CHECK (event_type <> 'Poison')",
    );
    try {
      const res = await call("POST", "/events/batch", {
        events: [businessEvent({}, "a-first"), businessEvent({ eventType: "Poison" }, "z-last")],
      });
      expect(res.status).toBe(500);
      expect(await rows()).toHaveLength(0);
    } finally {
      await database.db.query("ALTER TABLE business_events DROP CONSTRAINT test_no_poison");
    }
  });
});

describe("GET /events/{id} and GET /health", () => {
  it("returns the stored event, 404 for an unknown id, 400 for an invalid one", async () => {
    const event = businessEvent({ createdDate: "2024-01-15T10:30:00.123Z" }, "get-1");
    await call("POST", "/events", event);
    const found = await call("GET", "/events/get-1");
    expect(found.status).toBe(200);
    expect(found.body).toEqual(stored(event));
    expect((found.body.eventHeader as { createdDate: unknown }).createdDate).toBe(
      Date.parse("2024-01-15T10:30:00.123Z"),
    );
    const missing = await call("GET", "/events/nope");
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ error: "Not Found", status: 404, id: "nope" });
    expect((await call("GET", "/events/%27%3B--")).status).toBe(400);
  });

  it("reports the database as up", async () => {
    const res = await call("GET", "/health");
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      status: "ok",
      database: { status: "up", latency_ms: expect.any(Number) },
    });
  });

  it("answers 404 as JSON for an unknown route", async () => {
    const res = await call("DELETE", "/events/x");
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toBe("application/json");
  });
});

describe("sample events in events/", () => {
  it("answer as their descriptions say", async () => {
    const sample = (name: string) => JSON.parse(readFileSync(`events/${name}.json`, "utf8"));
    const status = async (name: string) => answer(await api.invoke(sample(name))).status;
    expect(await status("api-health")).toBe(200);
    expect(await status("api-get-event")).toBe(404);
    expect(await status("api-post-event")).toBe(201);
    expect(await status("api-post-event")).toBe(200);
    expect(await status("api-get-event")).toBe(200);
    expect(await status("api-post-event-batch")).toBe(200);
    const invalid = answer(await api.invoke(sample("api-post-event-invalid")));
    expect(invalid.status).toBe(400);
    expect((invalid.body.fields as { path: string }[]).map((f) => f.path).sort()).toEqual([
      "eventBody.entities",
      "eventHeader",
      "eventHeader.createdDate",
      "eventHeader.eventType",
      "eventHeader.uuid",
    ]);
    expect((await rows()).map((r) => r.id).sort()).toEqual([
      "3f6c1d2e-8b7a-4c5d-9e0f-1a2b3c4d5e61",
      "3f6c1d2e-8b7a-4c5d-9e0f-1a2b3c4d5e62",
      "8d0b6a8e-4f1c-4a57-9c1e-2f7d2b0c5a11",
    ]);
  });
});

describe("other database errors", () => {
  it("answer 500 with the request id and without SQL, table names or connection details", async () => {
    await database.db.query("CREATE DATABASE no_tables");
    const broken = producerContainer({ DATABASE_URL: database.url.replace(/\/postgres$/, "/no_tables") });
    try {
      const res = await broken.invoke(request("POST", "/events", businessEvent()));
      const { status, body } = answer(res);
      expect(status).toBe(500);
      expect(body).toEqual({
        error: "Internal Server Error",
        message: "The request failed. Quote the request id when reporting it.",
        status: 500,
        request_id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      });
      expect(JSON.stringify(res)).not.toMatch(/business_events|relation|INSERT|postgres:|at /);
    } finally {
      await broken.close();
      await database.db.query("DROP DATABASE no_tables");
    }
  });
});

describe("a statement the database does not finish in time", () => {
  it("answers 504 (retrying is safe) for a write held past statement_timeout by a lock; the retry writes it", async () => {
    const slow = producerContainer({ DATABASE_URL: database.url, DB_STATEMENT_TIMEOUT_MS: "300" });
    const holder = await database.db.connect();
    try {
      await holder.query("BEGIN");
      await holder.query("LOCK TABLE business_events IN ACCESS EXCLUSIVE MODE"); // a migration, say
      const event = businessEvent({}, "held-1");
      const held = answer(await slow.invoke(request("POST", "/events", event)));
      expect(held.status).toBe(504);
      expect(held.body).toEqual(databaseTimeoutProblem().body); // its text: error-responses.test.ts
      // The database itself answers: only the table is held.
      expect(answer(await slow.invoke(request("GET", "/health"))).status).toBe(200);
      await holder.query("ROLLBACK");
      expect(answer(await slow.invoke(request("POST", "/events", event))).status).toBe(201);
    } finally {
      await holder.query("ROLLBACK").catch(() => undefined);
      holder.release();
      await slow.close();
    }
  });
});

/**
 * Ten producer "containers" (a handler with a pool of two each) for one test; `invoke(i, ...)` sends
 * request i to container i % 10.
 */
async function withContainers(
  run: (invoke: (i: number, ...args: Parameters<typeof request>) => Promise<Answer>) => Promise<void>,
): Promise<void> {
  const containers = Array.from({ length: 10 }, () =>
    producerContainer({ DATABASE_URL: database.url, DB_POOL_MAX: "2" }),
  );
  try {
    await run(async (i, ...args) =>
      answer(
        await (containers[i % containers.length] as (typeof containers)[number]).invoke(request(...args)),
      ),
    );
  } finally {
    await Promise.all(containers.map((c) => c.close()));
  }
}

describe("concurrency", () => {
  it("100 concurrent POSTs over 20 uuids from 10 containers: one row per uuid, one 201 each, 200 for the same event, 409 for another", async () => {
    await withContainers(async (invoke) => {
      const posts = Array.from({ length: 100 }, (_, i) => {
        const uuid = `race-${i % 20}`;
        // Per uuid: three copies of variant A, two of variant B, arriving interleaved.
        const variant = Math.floor(i / 20) % 5 < 3 ? "A" : "B";
        return { uuid, variant, event: businessEvent({ eventName: `Variant${variant}` }, uuid) };
      });
      const results = await Promise.all(
        posts.map(async (p, i) => ({ ...p, res: await invoke(i, "POST", "/events", p.event) })),
      );
      const stored = await rows();
      expect(stored).toHaveLength(20);
      for (const row of stored) {
        const mine = results.filter((r) => r.uuid === row.id);
        const winner = (row.event_name as string).replace("Variant", "");
        expect(mine.filter((r) => r.res.status === 201)).toHaveLength(1);
        for (const r of mine) {
          if (r.variant === winner) expect([200, 201]).toContain(r.res.status);
          else expect(r.res.status).toBe(409);
        }
      }
    });
  });
});

describe("concurrent batches", () => {
  it("20 batches over 30 shared uuids in shuffled order from 10 containers: one row and one 201 per uuid, never a 500", async () => {
    await withContainers(async (invoke) => {
      // Each batch: 25 of the 30 uuids, in its own order; per uuid, variant A in even batches, B in odd.
      const batches = Array.from({ length: 20 }, (_, b) => {
        const uuids = Array.from({ length: 30 }, (_, u) => `shared-${(u * (b + 7)) % 30}`).slice(0, 25);
        return uuids.map((uuid) => ({
          uuid,
          variant: b % 2 === 0 ? "A" : "B",
          event: businessEvent({ eventName: `Variant${b % 2 === 0 ? "A" : "B"}` }, uuid),
        }));
      });
      const answers = await Promise.all(
        batches.map((events, b) =>
          invoke(b, "POST", "/events/batch", { events: events.map((e) => e.event) }),
        ),
      );
      expect(answers.map((a) => a.status)).toEqual(answers.map(() => 200));
      const stored = await rows();
      const outcomes = batches.flatMap((events, b) =>
        events.map((e, i) => ({
          ...e,
          result: (answers[b]?.body.results as { result: string }[] | undefined)?.[i]?.result,
        })),
      );
      expect(stored.map((r) => r.id).sort()).toEqual([...new Set(outcomes.map((o) => o.uuid))].sort());
      for (const row of stored) {
        const mine = outcomes.filter((o) => o.uuid === row.id);
        const winner = (row.event_name as string).replace("Variant", "");
        expect(mine.filter((o) => o.result === "created")).toHaveLength(1);
        for (const o of mine)
          expect(o.result).toBe(
            o.variant !== winner ? "conflict" : o.result === "created" ? "created" : "duplicate",
          );
      }
    });
  });

  it("keeps text that PostgreSQL array literals escape, and every digit, through a batch", async () => {
    const awkward = businessEvent({ eventType: "NULL" }, "awkward-1");
    const body = withAttribute(awkward, "note", 'a "quoted", {braced} \\ back\\slash, NULL, é 🎉');
    const text = JSON.stringify({ events: [body] }).replace(
      '"note":',
      '"amount":12345678901234567.891,"note":',
    );
    const batch = async (raw: string) =>
      answer(await api.invoke(request("POST", "/events/batch", undefined, { raw }))).body;
    expect((await batch(text)).created).toBe(1);
    expect((await batch(text)).duplicate).toBe(1);
    expect((await batch(text.replace("12345678901234567.891", "12345678901234567.892"))).conflict).toBe(1);
    const row = (await database.db.query("SELECT event_type, event_data::text AS data FROM business_events"))
      .rows[0];
    expect(row?.event_type).toBe("NULL");
    expect(row?.data).toContain('"amount": 12345678901234567.891');
    expect(row?.data).toContain('a \\"quoted\\", {braced} \\\\ back\\\\slash, NULL, é 🎉');
  });
});

describe("fuzz: bad bodies", () => {
  const header = ["uuid", "eventName", "eventType", "createdDate"] as const;
  const notAnId = fc.string({ unit: "binary" }).filter((s) => !/^[A-Za-z0-9][A-Za-z0-9._:-]{0,254}$/.test(s));
  const wrongType = fc.oneof(
    fc.boolean(),
    fc.constant(null),
    fc.array(fc.integer()),
    fc.dictionary(fc.string(), fc.integer()),
  );
  const mutatedEvent = fc.oneof(
    fc.constantFrom(...header).map((field) => {
      const event = businessEvent();
      delete (event.eventHeader as Record<string, unknown>)[field];
      return event;
    }),
    fc
      .tuple(fc.constantFrom(...header), wrongType)
      .map(([field, value]) => businessEvent({ [field]: value })),
    notAnId.map((uuid) => businessEvent({}, uuid)),
    fc
      .oneof(
        fc.double().filter((d) => !Number.isInteger(d)),
        fc.integer({ max: -1 }),
        fc.string().filter((s) => !/^\d{4}-/.test(s)),
      )
      .map((createdDate) => businessEvent({ createdDate })),
    fc
      .string({ minLength: 1 })
      .filter((k) => !["uuid", "eventName", "eventType", "createdDate", "savedDate"].includes(k))
      .map((key) => businessEvent({ [key]: 1 })),
    wrongType.map((entities) => ({ ...businessEvent(), eventBody: { entities } })),
  );
  const body = fc.oneof(
    mutatedEvent.map((event) => ({ raw: JSON.stringify(event) })),
    fc.jsonValue().map((value) => ({ raw: JSON.stringify(value) })),
    fc.string({ unit: "binary" }).map((raw) => ({ raw })),
    fc.uint8Array({ maxLength: 200 }).map((bytes) => ({ raw: Buffer.from(bytes) })),
  );

  it("answers 4xx and writes nothing, for single events and batches", async () => {
    await fc.assert(
      fc.asyncProperty(body, fc.boolean(), async ({ raw }, batch) => {
        const payload =
          batch && typeof raw === "string" ? `{"events":[${JSON.stringify(businessEvent())},${raw}]}` : raw;
        const res = await call("POST", batch ? "/events/batch" : "/events", undefined, { raw: payload });
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.headers["content-type"]).toBe("application/json");
        expect(await rows()).toHaveLength(0);
      }),
      { numRuns: 300 },
    );
  });
});
