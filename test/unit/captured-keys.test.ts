/** When a routing config's key cannot find the documents that deletes and key changes remove. */
import { expect, it } from "vitest";
import { keyProblem } from "../../shared/captured-keys";

const table = (columns: string[], hasIdColumn = true) => ({
  identity: "primary key" as const,
  columns,
  hasIdColumn,
});

it("takes the table's primary key, in any order, and any key of a table without one", () => {
  expect(keyProblem("public.t", ["id"], table(["id"]))).toBeUndefined();
  expect(keyProblem("public.t", undefined, table(["id"]))).toBeUndefined();
  expect(keyProblem("public.t", ["line", "order_id"], table(["order_id", "line"], false))).toBeUndefined();
  const full = { identity: "full" as const, columns: [], hasIdColumn: false };
  expect(keyProblem("public.t", ["code"], full)).toBeUndefined();
  // A unique index set as the replica identity: its columns are what changes carry.
  const byIndex = { identity: "replica identity index" as const, columns: ["code"], hasIdColumn: true };
  expect(keyProblem("public.t", ["code"], byIndex)).toBeUndefined();
  expect(keyProblem("public.t", undefined, byIndex)).toContain(
    "key [id] is not the table's replica identity index [code]",
  );
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
