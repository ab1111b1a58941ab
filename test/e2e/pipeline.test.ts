/**
 * End to end on the local stack: SQL changes -> capture (DMS records) -> Kinesis -> poller -> indexer ->
 * OpenSearch (emulator, or OPENSEARCH_URL), then `verify` finds no difference.
 */
import { describe, expect, it } from "vitest";
import { useTestStack, verifyStack } from "../helpers/stack";

const testStack = useTestStack();

describe("the local pipeline", () => {
  it("mirrors inserts, updates, deletes, composite keys, jsonb, key changes and a 10,000-row transaction", async () => {
    const { db, stack } = testStack();
    await db.query(
      `INSERT INTO customers (id, name, email, preferences) VALUES
         (1, 'Ada', 'ada@example.com', '{"newsletter": true, "tags": ["a", "b"]}'),
         (2, 'Grace', 'grace@example.com', '{}')`,
    );
    await db.query(
      `INSERT INTO orders (id, customer_id, status, amount, attributes, card_number)
       VALUES (1, 1, 'new', 10.50, '{"priority": 1}', '4111111111111111'), (2, 2, 'new', 5, NULL, NULL)`,
    );
    await db.query("INSERT INTO order_items VALUES (1, 1, 'MG-204', 2, 9.99), (1, 2, 'KB-110', 1, 20)");
    await db.query("UPDATE orders SET status = 'paid', amount = 11.25 WHERE id = 1");
    await db.query("UPDATE order_items SET quantity = 3 WHERE order_id = 1 AND line_no = 1");
    await db.query("DELETE FROM order_items WHERE order_id = 1 AND line_no = 2");
    await db.query("DELETE FROM customers WHERE id = 2");
    await db.query("UPDATE orders SET id = 3 WHERE id = 2"); // primary-key change
    // A large jsonb value (stored out of line) left unchanged by an update.
    await db.query(
      `UPDATE customers SET preferences = (SELECT jsonb_object_agg(g::text, repeat('x', 200)) FROM generate_series(1, 100) g) WHERE id = 1`,
    );
    await db.query("UPDATE customers SET name = 'Ada L.' WHERE id = 1");
    await db.query(
      `INSERT INTO business_events (id, event_name, event_type, created_date, saved_date, event_data) VALUES
         ('e1', 'loan.created', 'LoanCreated', now(), now(), '{"eventBody": {"amount": 1}}'),
         ('e2', 'loan.repaid', 'LoanRepaid', now(), now(), '{"eventBody": {"amount": 2}}')`,
    );
    await db.query(
      `INSERT INTO orders (id, customer_id, status, amount, attributes)
       SELECT g, 1, 'bulk', g / 100.0, jsonb_build_object('batch', g % 7) FROM generate_series(1000, 10999) g`,
    );
    expect(await stack.settle(90_000)).toBe(true);

    const report = await verifyStack(stack);
    expect(report.differences).toEqual([]);
    expect(report.unindexable).toEqual([]);
    expect(report.indices.find((i) => i.index.endsWith("orders"))?.actual).toBe(10_002);

    const index = (name: string) => stack.pipeline.routingFor("public", name).index;
    const doc = async (name: string, id: string) =>
      (await stack.search.get({ index: index(name), id }, { ignore: [404] })).body as {
        found: boolean;
        _source?: Record<string, unknown>;
      };
    expect((await doc("orders", "1"))._source).toMatchObject({
      status: "paid",
      amount: 11.25,
      attributes: { priority: 1 },
    });
    expect((await doc("orders", "1"))._source).not.toHaveProperty("card_number");
    expect((await doc("orders", "2")).found).toBe(false);
    expect((await doc("orders", "3")).found).toBe(true);
    expect((await doc("order_items", "1|1"))._source).toMatchObject({ quantity: 3, sku: "MG-204" });
    expect((await doc("order_items", "1|2")).found).toBe(false);
    expect((await doc("customers", "2")).found).toBe(false);
    const ada = (await doc("customers", "1"))._source as {
      name: string;
      preferences: Record<string, string>;
    };
    expect(ada.name).toBe("Ada L.");
    expect(Object.keys(ada.preferences)).toHaveLength(100);
    const loans = stack.pipeline.routingFor("public", "business_events").routes[0]?.index as string;
    expect((await stack.search.get({ index: loans, id: "e1" }, { ignore: [404] })).body.found).toBe(true);
    expect((await stack.search.get({ index: loans, id: "e2" }, { ignore: [404] })).body.found).toBe(false);
  });

  it("verify reports a document changed behind the pipeline's back, and an extra one", async () => {
    const { stack } = testStack();
    const index = stack.pipeline.routingFor("public", "orders").index;
    await stack.search.index({ index, id: "1", body: { status: "tampered" }, refresh: true });
    await stack.search.index({ index, id: "999999", body: { status: "ghost" }, refresh: true });
    const report = await verifyStack(stack);
    expect(report.differences.map((d) => [d.kind, d.id]).sort()).toEqual([
      ["differs", "1"],
      ["extra", "999999"],
    ]);
  });
});
