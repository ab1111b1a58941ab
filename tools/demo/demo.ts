/**
 * The demo workload: a realistic mix of inserts, updates and deletes over the demo tables and business
 * events, then sample searches, each with the measured end-to-end latency (commit -> found in search).
 */
import { randomUUID } from "node:crypto";
import type { Client } from "@opensearch-project/opensearch";
import pg from "pg";
import type { PipelineConfig } from "../../shared/pipeline-config";

const CUSTOMERS = ["Ada Lovelace", "Grace Hopper", "Alan Turing", "Edsger Dijkstra", "Barbara Liskov"];
const SKUS = ["MG-204", "KB-110", "HD-900", "CB-001", "LT-550"];

/** A pause of a random part of a second (see the tracked changes below). */
const offBeat = () => new Promise((r) => setTimeout(r, Math.random() * 1_000));

/** Waits until `check` holds; returns the milliseconds it took. */
async function until(check: () => Promise<boolean>, timeoutMs = 15_000): Promise<number> {
  const start = Date.now();
  while (!(await check())) {
    if (Date.now() - start > timeoutMs) throw new Error(`not visible in search after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
  return Date.now() - start;
}

/** The advisory lock that keeps two demos from writing the same ids ("cdc-demo" as a number). */
const DEMO_LOCK = 0x6364_632d_6465;

/** The demo writes these tables and searches their indices. */
const DEMO_TABLES = ["public.orders", "public.order_items"] as const;
/** The route its LoanCreated event is looked for in (config/pipeline.yaml's), when the config has it. */
const LOAN_CREATED_ROUTE = "loan-created-events";

export class DemoNotCapturedError extends Error {
  override name = "DemoNotCapturedError";
}

/**
 * Where the demo finds its rows: the indices the stack's routing config gives its tables (any `index:`),
 * and the LoanCreated route's when the config has it. A config that does not capture the demo's tables
 * cannot run it: said at once, rather than after a search that waits in vain.
 */
export function demoIndices(
  pipeline: PipelineConfig,
  indexPrefix: string,
): { orders: string; orderItems: string; loanCreated: string | undefined } {
  const configured = new Map(pipeline.tables().map((t) => [t.table, t]));
  const missing = DEMO_TABLES.filter((table) => !configured.has(table));
  if (missing.length > 0)
    throw new DemoNotCapturedError(
      `the running stack's routing config does not capture ${missing.join(", ")}, which the demo writes and searches; run it on a stack started with config/pipeline.yaml`,
    );
  const loanCreated = configured
    .get("public.business_events")
    ?.routes.find((r) => r.index === `${indexPrefix}${LOAN_CREATED_ROUTE}`)?.index;
  return {
    orders: configured.get("public.orders")?.index as string,
    orderItems: configured.get("public.order_items")?.index as string,
    loanCreated,
  };
}

export async function runDemo(input: {
  databaseUrl: string;
  search: Client;
  pipeline: PipelineConfig;
  indexPrefix: string;
  print: (line: string) => void;
}): Promise<void> {
  const { search, print } = input;
  const indices = demoIndices(input.pipeline, input.indexPrefix);
  // Searchable, not just stored: a search (not a realtime get) sees a change only after the index's next
  // refresh (1 s), as on a domain, so the figures include the refresh interval users wait for.
  const searched = async (index: string, id: string) =>
    (
      (await search.search({ index, body: { query: { ids: { values: [id] } } } }, { ignore: [404] }))
        .body as { hits?: { hits: { _source: Record<string, unknown> }[] } }
    ).hits?.hits[0]?._source;
  const found = async (index: string, id: string) => (await searched(index, id)) !== undefined;
  const db = new pg.Client({ connectionString: input.databaseUrl });
  // A connection the server ends (the stack stopped under the demo) fails the query under way, which
  // says so; the client's own error event would otherwise end the process with a stack trace.
  db.on("error", () => undefined);
  await db.connect();
  try {
    // One demo at a time (two terminals): a second waits for the first, then writes past its ids. The
    // session lock goes with the connection, even if this process is killed.
    const { rows } = await db.query<{ locked: boolean }>("SELECT pg_try_advisory_lock($1) AS locked", [
      DEMO_LOCK,
    ]);
    if (!rows[0]?.locked) {
      print("demo: another demo is writing; waiting for it to finish");
      await db.query("SELECT pg_advisory_lock($1)", [DEMO_LOCK]);
    }
    // Past every order id and every order id an item points to (items can outlive a hand-deleted order),
    // so the demo runs again and again against any state, including rows written by hand.
    const base =
      Number(
        (
          await db.query(
            `SELECT greatest((SELECT coalesce(max(id), 0) FROM orders),
                             (SELECT coalesce(max(order_id), 0) FROM order_items)) AS max`,
          )
        ).rows[0].max,
      ) + 1;
    print(`demo: writing customers, orders and items from order ${base} on`);
    for (const [i, name] of CUSTOMERS.entries()) {
      await db.query(
        `INSERT INTO customers (id, name, email, country, preferences) VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name`,
        [i + 1, name, `${name.split(" ")[0]?.toLowerCase()}@example.com`, "GB", { newsletter: i % 2 === 0 }],
      );
    }
    await db.query("BEGIN");
    for (let n = 0; n < 200; n++) {
      const id = base + n;
      await db.query(
        `INSERT INTO orders (id, customer_id, status, amount, attributes, card_number, tags)
         VALUES ($1, $2, 'new', $3, $4, $5, $6)`,
        [
          id,
          (n % CUSTOMERS.length) + 1,
          (10 + ((n * 37) % 490)).toFixed(2),
          { channel: n % 3 ? "web" : "store" },
          "4111111111111111",
          n % 4 === 0 ? ["gift", "next day"] : ["standard"],
        ],
      );
      for (let line = 1; line <= 1 + (n % 3); line++)
        await db.query("INSERT INTO order_items VALUES ($1, $2, $3, $4, $5)", [
          id,
          line,
          SKUS[(n + line) % SKUS.length],
          1 + (line % 2),
          (5 + line * 2.5).toFixed(2),
        ]);
    }
    await db.query("COMMIT");
    await db.query(
      "UPDATE orders SET status = $1, updated_at = now() WHERE id BETWEEN $2 AND $3 AND id % 2 = 0",
      ["paid", base, base + 199],
    );
    await db.query("DELETE FROM order_items WHERE order_id BETWEEN $1 AND $2 AND line_no = 3", [
      base,
      base + 49,
    ]);
    // Cancelled orders go with their items.
    await db.query("DELETE FROM order_items WHERE order_id BETWEEN $1 AND $2", [base + 190, base + 199]);
    await db.query("DELETE FROM orders WHERE id BETWEEN $1 AND $2", [base + 190, base + 199]);

    // One tracked change per kind, timed from its commit to the moment search returns it.
    const probe = base + 200;
    await db.query("INSERT INTO orders (id, customer_id, status, amount) VALUES ($1, 1, 'new', 42.00)", [
      probe,
    ]);
    print(
      `  insert order ${probe}: searchable after ${await until(() => found(indices.orders, String(probe)))} ms`,
    );
    // Each tracked change waits a random part of a second first: the previous one was seen just after a
    // refresh, and a change made at once would always wait almost a full refresh interval (a 2 s figure
    // that says more about the probe than about the pipeline).
    await offBeat();
    await db.query("UPDATE orders SET status = 'shipped' WHERE id = $1", [probe]);
    const shipped = async () => (await searched(indices.orders, String(probe)))?.status === "shipped";
    print(`  update order ${probe}: searchable after ${await until(shipped)} ms`);
    await offBeat();
    await db.query("DELETE FROM orders WHERE id = $1", [probe]);
    print(
      `  delete order ${probe}: gone after ${await until(async () => !(await found(indices.orders, String(probe))))} ms`,
    );
    await offBeat();
    const eventId = randomUUID();
    await db.query(
      `INSERT INTO business_events (id, event_name, event_type, created_date, saved_date, event_data)
       VALUES ($1, 'loan.created', 'LoanCreated', now(), now(), $2)`,
      [
        eventId,
        {
          eventBody: {
            entities: [{ entityType: "Loan", entityId: "L-1", updatedAttributes: { amount: 2500 } }],
          },
        },
      ],
    );
    const loanCreated = indices.loanCreated;
    print(
      loanCreated
        ? `  LoanCreated event: in ${LOAN_CREATED_ROUTE} after ${await until(() => found(loanCreated, eventId))} ms`
        : `  LoanCreated event: written (this config has no ${LOAN_CREATED_ROUTE} route to find it in)`,
    );

    await search.indices.refresh({ index: `${input.indexPrefix}*` });
    const count = async (index: string, query: Record<string, unknown>) =>
      (await search.count({ index, body: { query } })).body.count as number;
    print("demo: sample searches");
    print(`  paid orders:                      ${await count(indices.orders, { term: { status: "paid" } })}`);
    print(
      `  orders over 400 from the web:     ${await count(indices.orders, {
        bool: { filter: [{ range: { amount: { gt: 400 } } }, { term: { "attributes.channel": "web" } }] },
      })}`,
    );
    print(
      `  orders tagged "next day":         ${await count(indices.orders, { term: { "tags.keyword": "next day" } })}`,
    );
    print(
      `  order items with SKU MG-204:      ${await count(indices.orderItems, { match_phrase: { sku: "MG-204" } })}`,
    );
    if (loanCreated)
      print(`  LoanCreated events:               ${await count(loanCreated, { match_all: {} })}`);
  } finally {
    await db.end();
  }
}
