import { describe, expect, it } from "vitest";
import configYaml from "../../config/pipeline.yaml";
import { namedColumnsOf } from "../../shared/named-columns";
import { parsePipelineConfig } from "../../shared/pipeline-config";

describe("the columns a routing config names", () => {
  it("are its excluded, key, typed and route columns, each once with its first role", () => {
    const config = parsePipelineConfig(`
      tables:
        public.orders:
          primaryKey: [id]
          columns: {amount: number, id: integer}
          exclude: [card_number]
        public.events:
          columns: {payload: json}
      routes:
        - index: big-orders
          table: public.orders
          when: {all: [{field: amount, greaterThan: 100}, {field: $operation, in: [insert]}]}
        - index: loans
          table: public.events
          when: {field: payload.loan.kind, equals: car}
    `);
    expect(namedColumnsOf(config)).toEqual([
      { schema: "public", table: "orders", column: "card_number", role: "excluded" },
      { schema: "public", table: "orders", column: "id", role: "key" },
      { schema: "public", table: "orders", column: "amount", role: "typed" },
      // No primaryKey: `id` by default. A path's prefixes: the column may be `payload` or `payload.loan`.
      { schema: "public", table: "events", column: "id", role: "key" },
      { schema: "public", table: "events", column: "payload", role: "typed" },
      { schema: "public", table: "events", column: "payload.loan", role: "route" },
      { schema: "public", table: "events", column: "payload.loan.kind", role: "route" },
    ]);
  });

  it("of the bundled config include the secret column", () => {
    expect(namedColumnsOf(parsePipelineConfig(configYaml))).toContainEqual({
      schema: "public",
      table: "orders",
      column: "card_number",
      role: "excluded",
    });
  });
});
