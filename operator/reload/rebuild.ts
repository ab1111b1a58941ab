/**
 * Rebuilding tables' indices: a reload alone cannot repair a document a change wrote (its load record
 * has the lowest version), so a rebuild deletes every index the tables write to (each table's own and its
 * routes') and then reloads the tables. An index another table also writes to would lose that table's
 * documents too: it must be named as well. The repair verify suggests for what it found comes from here.
 */
import { indicesOf, type PipelineConfig } from "../../shared/pipeline-config";
import { ReloadError } from "./reload";

/** Every index the named tables write to, in config order; refused when another table writes to one. */
export function indicesToRebuild(pipeline: PipelineConfig, tables: string[]): string[] {
  const named = new Set(tables);
  const indices: string[] = [];
  for (const t of pipeline.tables())
    if (named.has(t.table))
      for (const index of indicesOf(t)) if (!indices.includes(index)) indices.push(index);
  const sharing = pipeline
    .tables()
    .filter((t) => !named.has(t.table))
    .flatMap((t) =>
      indicesOf(t)
        .filter((index) => indices.includes(index))
        .map((index) => `${index} is also written by ${t.table}`),
    );
  if (sharing.length > 0)
    throw new ReloadError(`${sharing.join("; ")}: name those tables too, so their rows are loaded again`);
  return indices;
}

/** What verify found in one index: how many documents are missing, and how many differ or are extra. */
export type IndexFindings = { index: string; missing: number; wrong: number };

/**
 * The command that repairs what verify found: documents that differ or should not be there need their
 * indices rebuilt; documents only missing are filled in by a reload. Undefined when nothing is wrong.
 */
export function repairCommand(
  pipeline: PipelineConfig,
  findings: IndexFindings[],
  configEnv?: string,
  absent: string[] = [],
): string | undefined {
  // A table the database does not have cannot be reloaded (verify says what to do with its index).
  const writers = (index: string) =>
    pipeline
      .tables()
      .filter((t) => indicesOf(t).includes(index) && !absent.includes(t.table))
      .map((t) => t.table);
  const tablesOf = (pick: (f: IndexFindings) => boolean) => [
    ...new Set(findings.filter(pick).flatMap((f) => writers(f.index))),
  ];
  const wrong = tablesOf((f) => f.wrong > 0);
  const missing = tablesOf((f) => f.missing > 0).filter((t) => !wrong.includes(t));
  if (wrong.length === 0 && missing.length === 0) return undefined;
  const stage = configEnv ? ` --config-env ${configEnv}` : "";
  const parts: string[] = [];
  if (wrong.length > 0) {
    // Rebuilding a table rebuilds every index it writes to, and the tables sharing them come along.
    const all = closeOverSharedIndices(pipeline, wrong);
    parts.push(`npm run reload -- --rebuild${stage} ${all.join(" ")}`);
    for (const t of all) {
      const at = missing.indexOf(t);
      if (at >= 0) missing.splice(at, 1);
    }
  }
  if (missing.length > 0) parts.push(`npm run reload --${stage} ${missing.join(" ")}`);
  return parts.join("; then ");
}

/** The tables, and every table that writes to one of their indices (repeated until none is added). */
function closeOverSharedIndices(pipeline: PipelineConfig, tables: string[]): string[] {
  const all = [...tables];
  for (let added = true; added; ) {
    added = false;
    const indices = new Set(
      pipeline
        .tables()
        .filter((t) => all.includes(t.table))
        .flatMap(indicesOf),
    );
    for (const t of pipeline.tables())
      if (!all.includes(t.table) && indicesOf(t).some((i) => indices.has(i))) {
        all.push(t.table);
        added = true;
      }
  }
  return all;
}

/**
 * What a rebuild says about the DLQ: the dead letters of its tables from before it are superseded (the
 * load wrote each row's current state at the lowest version, so replaying an older change would write
 * older data over it, or bring back a row deleted since: the index's delete tombstones went with it).
 * `depth` is the DLQ's depth, or why it could not be read; an empty DLQ has nothing to discard.
 */
export function deadLettersAfterRebuild(tables: string[], depth: number | Error, configEnv?: string): string {
  if (depth === 0) return "the DLQ is empty: no dead letters from before this rebuild to discard";
  const target = configEnv ? `--config-env ${configEnv} ` : "";
  return (
    (typeof depth === "number"
      ? `the DLQ holds ${depth} message(s) (npm run redrive -- ${target}--dry-run shows them by table); `
      : `the DLQ's depth could not be read (${depth.message}); `) +
    `dead letters of ${tables.join(", ")} from before this rebuild are superseded by it: do not replay them, discard them (` +
    tables.map((t) => `npm run redrive -- ${target}--discard --table ${t}`).join("; ") +
    ")"
  );
}
