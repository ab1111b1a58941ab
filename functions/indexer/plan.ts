/**
 * Turns one DMS change into the OpenSearch actions that apply it: its table's index plus every route
 * (filtered index) of that table. load/insert/update index the row; delete deletes it; a row that stops
 * matching a route is deleted from that route's index; a primary-key change deletes the old document.
 */
import type { TableRouting } from "../../shared/pipeline-config";
import { buildDocument } from "./coerce";
import type { DmsChange } from "./dms-message";
import { documentId, primaryKeyColumns } from "./document-id";
import { documentVersion } from "./version";

export type Action = {
  op: "index" | "delete";
  index: string;
  id: string;
  version: bigint;
  doc?: Record<string, unknown>;
};

// A class, not an object literal: see BatchRecord in process-batch.ts.
class BulkAction implements Action {
  constructor(
    readonly op: "index" | "delete",
    readonly index: string,
    readonly id: string,
    readonly version: bigint,
    readonly doc?: Record<string, unknown>,
  ) {}
}

export type ChangePlan = { actions: Action[]; filtered: number };

export function planChange(change: DmsChange, routing: TableRouting): ChangePlan {
  const keyColumns = primaryKeyColumns(routing.table, routing.primaryKey, change.row);
  const id = documentId(routing.table, keyColumns, change.row);
  const version = documentVersion(change.position);
  const deleteFromAll = (docId: string): Action[] => [
    new BulkAction("delete", routing.index, docId, version),
    ...routing.routes.map((r): Action => new BulkAction("delete", r.index, docId, version)),
  ];

  if (change.operation === "delete") return { actions: deleteFromAll(id), filtered: 0 };

  const actions: Action[] = [];
  // A before-image carrying every key column with another value: the row's key changed.
  const before = change.before;
  if (
    change.operation === "update" &&
    before &&
    keyColumns.every((c) => before[c] !== undefined && before[c] !== null)
  ) {
    const oldId = documentId(routing.table, keyColumns, before);
    if (oldId !== id) actions.push(...deleteFromAll(oldId));
  }
  const doc = buildDocument(change.row, routing.columnSpecs, routing.exclude);
  actions.push(new BulkAction("index", routing.index, id, version, doc));
  if (routing.routes.length === 0) return { actions, filtered: 0 };
  let filtered = 0;
  const ctx = { row: doc, operation: change.operation, schema: change.schema, table: change.table };
  for (const route of routing.routes) {
    if (route.matches(ctx)) actions.push(new BulkAction("index", route.index, id, version, doc));
    else {
      filtered++;
      actions.push(new BulkAction("delete", route.index, id, version));
    }
  }
  return { actions, filtered };
}
