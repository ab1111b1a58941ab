/**
 * Turns one DMS change into the OpenSearch actions that apply it: its table's index plus every route
 * (filtered index) of that table. load/insert/update index the row; delete deletes it; a row that stops
 * matching a route is deleted from that route's index; a primary-key change deletes the old document.
 */

import { PermanentRecordError } from "../../shared/errors";
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

/**
 * `keyChanged`: the change moved its row to another key (its old key's documents are deleted too).
 * `nothingToDelete`: a delete of a row whose key no document can have (its insert was refused for it).
 */
export type ChangePlan = { actions: Action[]; filtered: number; keyChanged?: true; nothingToDelete?: true };

/** The document of the row a change writes in its table's index, with the version it writes. */
export type RowDocument = { index: string; id: string; version: bigint };

/** The old key's id when an update moved its row to another key, else undefined. */
function movedFrom(change: DmsChange, table: string, keyColumns: string[], id: string): string | undefined {
  // A before-image carrying every key column with another value: the row's key changed.
  const before = change.before;
  if (
    change.operation !== "update" ||
    !before ||
    !keyColumns.every((c) => before[c] !== undefined && before[c] !== null)
  )
    return undefined;
  const oldId = idOfAnyDocument(table, keyColumns, before);
  return oldId === id ? undefined : oldId;
}

/**
 * The id of the row's documents, or undefined when its key is one no document can have: empty, over
 * OpenSearch's 512 bytes or not a scalar (document-id.ts refuses it for every change, so the row's
 * insert went to the DLQ). Deleting by such a key has nothing to delete: the index already equals the
 * table. A missing or lossy key names no row, so it stays an error.
 */
function idOfAnyDocument(
  table: string,
  keyColumns: string[],
  row: Record<string, unknown>,
): string | undefined {
  try {
    return documentId(table, keyColumns, row);
  } catch (error) {
    if (error instanceof PermanentRecordError && error.code === "invalid_primary_key") return undefined;
    throw error;
  }
}

/**
 * The document a change writes in its table's index, for a change whose plan failed (a value the indexer
 * refuses): undefined when there is none to name (no key) or the change moved its row to another key
 * (it also deletes the old key's documents, which a later change of the new key never touches).
 */
export function rowDocument(change: DmsChange, routing: TableRouting): RowDocument | undefined {
  try {
    const keyColumns = primaryKeyColumns(routing.table, routing.primaryKey, change.row);
    const id = documentId(routing.table, keyColumns, change.row);
    if (movedFrom(change, routing.table, keyColumns, id) !== undefined) return undefined;
    return { index: routing.index, id, version: documentVersion(change.position) };
  } catch {
    return undefined;
  }
}

export function planChange(change: DmsChange, routing: TableRouting): ChangePlan {
  const keyColumns = primaryKeyColumns(routing.table, routing.primaryKey, change.row);
  if (change.operation === "delete") {
    const id = idOfAnyDocument(routing.table, keyColumns, change.row);
    if (id === undefined) return { actions: [], filtered: 0, nothingToDelete: true };
    return { actions: deleteFromAll(routing, id, documentVersion(change.position)), filtered: 0 };
  }
  const id = documentId(routing.table, keyColumns, change.row);
  const version = documentVersion(change.position);
  const actions: Action[] = [];
  const oldId = movedFrom(change, routing.table, keyColumns, id);
  if (oldId !== undefined) actions.push(...deleteFromAll(routing, oldId, version));
  const doc = buildDocument(change.row, routing.columnSpecs, routing.exclude);
  actions.push(new BulkAction("index", routing.index, id, version, doc));
  if (routing.routes.length === 0) return planOf(actions, 0, oldId);
  let filtered = 0;
  const ctx = { row: doc, operation: change.operation, schema: change.schema, table: change.table };
  for (const route of routing.routes) {
    if (route.matches(ctx)) actions.push(new BulkAction("index", route.index, id, version, doc));
    else {
      filtered++;
      actions.push(new BulkAction("delete", route.index, id, version));
    }
  }
  return planOf(actions, filtered, oldId);
}

function deleteFromAll(routing: TableRouting, id: string, version: bigint): Action[] {
  return [
    new BulkAction("delete", routing.index, id, version),
    ...routing.routes.map((r): Action => new BulkAction("delete", r.index, id, version)),
  ];
}

function planOf(actions: Action[], filtered: number, oldId: string | undefined): ChangePlan {
  const plan: ChangePlan = { actions, filtered };
  if (oldId !== undefined) plan.keyChanged = true;
  return plan;
}
