/** When a routing config's key cannot find the documents that deletes and key changes remove. */
import { expect, it } from "vitest";
import { keyProblem } from "../../shared/captured-keys";

const table = (primaryKey: string[], hasIdColumn = true) => ({ primaryKey, hasIdColumn });

it("takes the table's primary key, in any order, and any key of a table without one", () => {
  expect(keyProblem("public.t", ["id"], table(["id"]))).toBeUndefined();
  expect(keyProblem("public.t", undefined, table(["id"]))).toBeUndefined();
  expect(keyProblem("public.t", ["line", "order_id"], table(["order_id", "line"], false))).toBeUndefined();
  expect(keyProblem("public.t", ["code"], table([], false))).toBeUndefined();
});

it("names a key other than the primary key, and a table with neither a key nor an id column", () => {
  expect(keyProblem("public.t", ["code"], table(["id"]))).toContain(
    "the routing config's key [code] is not the table's primary key [id]",
  );
  // No primaryKey configured: [id] is assumed, which is not this table's key.
  expect(keyProblem("public.t", undefined, table(["uuid"]))).toContain(
    "key [id] is not the table's primary key [uuid]",
  );
  expect(keyProblem("public.t", ["order_id"], table(["order_id", "line"]))).toContain(
    "set primaryKey: [order_id, line]",
  );
  expect(keyProblem("public.t", undefined, table(["uuid"], false))).toBe(
    "public.t has no primaryKey in the routing config and no id column: every change of it is refused (no_primary_key); set primaryKey: [uuid]",
  );
});
