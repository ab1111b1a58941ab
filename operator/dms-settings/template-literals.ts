/**
 * The generated literals of template.yaml, written in place: after a change to config/pipeline.yaml,
 * db/migrations or shared/dms-settings.ts, `npm run dms:settings -- --write` brings the template in step
 * (the DMS task's table mappings and settings, the captured tables and migrations the database bootstrap
 * reruns on, the config digest the search bootstrap reruns on). Line by line, so the template keeps its
 * layout and comments. Pure.
 */

/** What templateLiterals (cli.ts) generates. */
export type TemplateLiterals = {
  TableMappings: string;
  ReplicationTaskSettings: { "primary-key": string; "schema-table": string };
  CapturedTables: string;
  TableKeys: string;
  Migrations: string;
  PipelineConfigDigest: string;
};

/** The one-line literals, how each is quoted, and the line that holds it (a `!` tag is not one). */
const SCALAR_LITERALS = (
  [
    ["TableMappings", "single"],
    ["CapturedTables", "plain"],
    ["TableKeys", "single"],
    ["Migrations", "plain"],
    ["PipelineConfigDigest", "double"],
  ] as const
).map(([key, quote]) => ({ key, quote, pattern: new RegExp(`^(\\s+${key}: )(?!!)`) }));

/** A YAML scalar for the value: plain when it is safe so, else single-quoted. */
const scalar = (value: string, quote: "plain" | "single" | "double"): string => {
  if (quote === "double") return JSON.stringify(value);
  if (quote === "plain" && /^[A-Za-z0-9_.,$/-]+$/.test(value)) return value;
  return `'${value.replaceAll("'", "''")}'`;
};

/**
 * The template text with every generated literal set to its value, and the names of those that changed.
 * A literal the template does not have (someone removed the resource) is an error, not skipped.
 */
export function writeTemplateLiterals(
  text: string,
  literals: TemplateLiterals,
): { text: string; changed: string[] } {
  const lines = text.split("\n");
  const changed = new Set<string>();
  const found = new Set<string>();
  const set = (i: number, name: string, prefix: string, value: string) => {
    found.add(name);
    const line = `${prefix}${value}`;
    if (lines[i] !== line) {
      lines[i] = line;
      changed.add(name);
    }
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    for (const { key, quote, pattern } of SCALAR_LITERALS) {
      const m = pattern.exec(line);
      if (m) set(i, key, m[1] as string, scalar(literals[key] as string, quote));
    }
    // ReplicationTaskSettings: !If / - PartitionByPrimaryKey / - <primary-key> / - <schema-table>
    if (
      /^\s+ReplicationTaskSettings: !If\s*$/.test(line) &&
      /^\s+- PartitionByPrimaryKey\s*$/.test(lines[i + 1] ?? "")
    ) {
      for (const [offset, partitioning] of [
        [2, "primary-key"],
        [3, "schema-table"],
      ] as const) {
        const m = /^(\s+- )'/.exec(lines[i + offset] ?? "");
        if (!m)
          throw new Error(`template.yaml line ${i + offset + 1}: expected the ${partitioning} task settings`);
        set(
          i + offset,
          "ReplicationTaskSettings",
          m[1] as string,
          scalar(literals.ReplicationTaskSettings[partitioning], "single"),
        );
      }
    }
  }
  const missing = [...SCALAR_LITERALS.map((l) => l.key), "ReplicationTaskSettings"].filter(
    (k) => !found.has(k),
  );
  if (missing.length > 0) throw new Error(`template.yaml has no ${missing.join(", ")} to write`);
  return { text: lines.join("\n"), changed: [...changed] };
}
