/**
 * A record the indexer cannot index (a value it refuses, a document OpenSearch refuses) whose row has
 * changed since is superseded, not dead-lettered: when its document already holds a higher version, a
 * later change of the row has been applied, and OpenSearch would refuse the record as stale (external
 * versions) if it could be indexed. It is acknowledged as such, and a dead letter replayed after its row
 * was fixed settles instead of returning to the queue on every redrive.
 *
 * Only where that is proven: the document must be found with a higher version (a later delete leaves
 * none once OpenSearch forgets it), and a change that moved its row to another key never qualifies (it
 * also deletes the old key's documents, which no later change of the new key touches). A later change
 * of the row writes every index of the row (its table's and each route's), so one document suffices.
 */
import type { RowDocument } from "./plan";

export type DocumentRef = { index: string; id: string };

/** The current version of each document found (realtime `_mget`, no source), by `versionKey`. */
export type VersionReader = {
  versions(docs: DocumentRef[], options: { requestTimeout: number }): Promise<Map<string, bigint>>;
};

export const versionKey = (doc: DocumentRef): string => `${doc.index}\u0000${doc.id}`;

/** The distinct documents to read for these records' documents. */
export function documentsToRead(documents: RowDocument[]): DocumentRef[] {
  const seen = new Map<string, DocumentRef>();
  for (const d of documents) seen.set(versionKey(d), { index: d.index, id: d.id });
  return [...seen.values()];
}

/** Whether a later change of the row has been applied: the document holds a higher version. */
export const isSuperseded = (document: RowDocument, current: ReadonlyMap<string, bigint>): boolean => {
  const version = current.get(versionKey(document));
  return version !== undefined && version > document.version;
};

type RawJson = { rawJSON: string };
const isRawJson = (value: unknown): value is RawJson =>
  typeof value === "object" && value !== null && typeof (value as RawJson).rawJSON === "string";

/**
 * The versions in an `_mget` answer read with every number as written (versions are 64-bit: past 2^53 a
 * double would change them): found documents only; one not found or in an index not there has none.
 */
export function readVersions(body: unknown): Map<string, bigint> {
  const versions = new Map<string, bigint>();
  const docs = (body as { docs?: unknown[] } | undefined)?.docs ?? [];
  for (const entry of docs) {
    const doc = entry as { _index?: unknown; _id?: unknown; found?: unknown; _version?: unknown };
    if (doc.found !== true || typeof doc._index !== "string" || typeof doc._id !== "string") continue;
    const v = doc._version;
    const version =
      typeof v === "number" && Number.isSafeInteger(v)
        ? BigInt(v)
        : isRawJson(v)
          ? BigInt(v.rawJSON)
          : undefined;
    if (version !== undefined) versions.set(versionKey({ index: doc._index, id: doc._id }), version);
  }
  return versions;
}
