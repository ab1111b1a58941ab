/**
 * The routing config (config/pipeline.yaml): which tables go to which index, their primary keys,
 * column types, excluded columns, and filtered indices (routes). Validated once, at cold start.
 */
import { createHash } from "node:crypto";
import { parse as parseYaml } from "yaml";
import { z } from "zod";
import { ConfigError } from "./errors";
import { isKeptNumber } from "./exact-json";
import { ownValue, setOwn } from "./own-properties";
import {
  type MatchContext,
  OPERATOR_NAMES,
  OPERATORS,
  type OperatorName,
  type Predicate,
} from "./route-operators";

export type { MatchContext, Predicate } from "./route-operators";

import { TABLE_NAME, TABLE_NAME_RULE } from "./table-name";
import { issueLines } from "./zod-issues";

export const COLUMN_TYPES = ["string", "number", "integer", "boolean", "json", "timestamp", "array"] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];
/** What a PostgreSQL array's elements are read as (`{type: array, of: <type>}`; string when not said). */
export const ELEMENT_TYPES = ["string", "number", "integer", "boolean", "timestamp"] as const;
export type ElementType = (typeof ELEMENT_TYPES)[number];

const field = z.string().min(1, "field must not be empty");

export type Condition =
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition }
  | ({ field: string } & Partial<Record<OperatorName, unknown>>);

const leafSchema = z
  .object({ field, ...Object.fromEntries(OPERATOR_NAMES.map((op) => [op, OPERATORS[op].schema.optional()])) })
  .strict()
  .superRefine((leaf, ctx) => {
    const ops = OPERATOR_NAMES.filter((op) => (leaf as Record<string, unknown>)[op] !== undefined);
    if (ops.length !== 1) {
      ctx.addIssue({
        code: "custom",
        message: `a condition on "${leaf.field}" needs exactly one operator of ${OPERATOR_NAMES.join(", ")}; found ${ops.length ? ops.join(", ") : "none"}`,
      });
    }
  });

/** What a malformed condition was, in a few words: its keys, a list, or the value. */
function described(input: unknown): string {
  if (Array.isArray(input)) return "a list";
  if (input !== null && typeof input === "object") return `keys ${Object.keys(input).join(", ") || "(none)"}`;
  return JSON.stringify(input);
}

const CONDITION_FORMS =
  "a condition is {field: <column>, <operator>: <value>}, {all: [<condition>, ...]}, {any: [...]} or {not: <condition>}";

const conditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union(
    [
      z.object({ all: z.array(conditionSchema).min(1) }).strict(),
      z.object({ any: z.array(conditionSchema).min(1) }).strict(),
      z.object({ not: conditionSchema }).strict(),
      leafSchema as z.ZodType<Condition>,
    ],
    { error: (issue) => `${CONDITION_FORMS}; found ${described(issue.input)}` },
  ),
);

/** OpenSearch index names: lower case, no reserved characters, not starting with - _ +. Placeholders allowed. */
const indexName = z
  .string()
  .min(1)
  .max(200)
  .regex(
    /^(?![-_+])[a-z0-9{}_\-.]+$/,
    'index names are lower case and may not contain \\/*?"<>| ,#: or start with -_+',
  );

const tableName = z.string().regex(TABLE_NAME, TABLE_NAME_RULE);

/** A table's index name from a template (`{schema}_{table}`), lower-cased as OpenSearch requires. */
const indexNameOf = (template: string, schema: string, table: string) =>
  template.replaceAll("{schema}", schema).replaceAll("{table}", table).toLowerCase();

/**
 * Why OpenSearch would refuse an index name (its rules for new indices), or undefined: a table name may
 * hold characters an index name may not (`orders#1`, `a:b`), and every record of it would be refused.
 */
function indexNameProblem(name: string): string | undefined {
  if (/[\\/*?"<>| ,#:]/.test(name)) return 'may not contain \\ / * ? " < > | , # : or a space';
  if (/^[-_+]/.test(name)) return "may not start with - _ +";
  if (name === "." || name === "..") return "may not be . or ..";
  if (new TextEncoder().encode(name).length > 255) return "is longer than 255 bytes";
  return undefined;
}

const onCoercionError = z.enum(["dead-letter"]);

/**
 * A column's declared type, with its mapping options: `number` may set `scale` (decimal places kept
 * exactly in the index, as `scaled_float`); `json` may be `freeForm` (any shape, as `flat_object`);
 * `array` (a PostgreSQL array, which DMS sends as its text `{a,"b c"}`) says what its elements are, `of`
 * (string when not said), and `scale` for elements of `number`.
 */
export type ColumnSpec = { type: ColumnType; scale?: number; freeForm?: boolean; of?: ElementType };

/** The options each type takes besides `type`. */
const TYPE_OPTIONS: Record<ColumnType, readonly string[]> = {
  string: [],
  number: ["scale"],
  integer: [],
  boolean: [],
  json: ["freeForm"],
  timestamp: [],
  array: ["of", "scale"],
};

/**
 * `number` or `{type: number, scale: 2}`, each mistake named in the person's terms (a union of schemas
 * would answer only "Invalid input"): an unknown type lists the types, an option the type does not take
 * lists the ones it does, a scale out of range says what scale means.
 */
const columnSpec = z.unknown().transform((value, ctx): ColumnSpec => {
  const issue = (message: string) => ctx.addIssue({ code: "custom", message });
  const spec = typeof value === "string" ? { type: value } : value;
  if (spec === null || typeof spec !== "object" || Array.isArray(spec)) {
    issue(`expected a type (${COLUMN_TYPES.join(", ")}) or {type: <type>, <options>}`);
    return z.NEVER;
  }
  const { type, ...options } = spec as Record<string, unknown>;
  if (!COLUMN_TYPES.includes(type as ColumnType)) {
    const what = type === undefined ? "no type" : `unknown type ${JSON.stringify(type)}`;
    issue(`${what}: one of ${COLUMN_TYPES.join(", ")}`);
    return z.NEVER;
  }
  const allowed = TYPE_OPTIONS[type as ColumnType];
  for (const key of Object.keys(options))
    if (!allowed.includes(key))
      issue(
        `"${key}" is not an option of ${type} (${allowed.length ? `it takes ${allowed.join(", ")}` : "it takes none"})`,
      );
  const { scale, freeForm, of } = options;
  if (scale !== undefined && !(Number.isInteger(scale) && (scale as number) >= 0 && (scale as number) <= 9))
    issue(
      `scale is the number of decimal places kept exactly, a whole number from 0 to 9 (got ${JSON.stringify(scale)})`,
    );
  if (freeForm !== undefined && typeof freeForm !== "boolean")
    issue(`freeForm is true or false (got ${JSON.stringify(freeForm)})`);
  if (of !== undefined && !ELEMENT_TYPES.includes(of as ElementType))
    issue(
      `of is the type of the array's elements, one of ${ELEMENT_TYPES.join(", ")} (got ${JSON.stringify(of)})`,
    );
  if (type === "array" && scale !== undefined && of !== "number")
    issue(
      `scale is an option of arrays of number (this one is of ${(of as string | undefined) ?? "string"})`,
    );
  return {
    type: type as ColumnType,
    ...(scale !== undefined && { scale: scale as number }),
    ...(freeForm !== undefined && { freeForm: freeForm as boolean }),
    ...(of !== undefined && { of: of as ElementType }),
  };
});

const typedAndExcluded = (column: string) => `"${column}" is both typed in columns and excluded`;

const tableSchema = z
  .object({
    primaryKey: z.array(z.string().min(1)).min(1, "primaryKey must name at least one column").optional(),
    index: indexName.optional(),
    columns: z.record(z.string(), columnSpec).default({}),
    exclude: z.array(z.string().min(1)).default([]),
  })
  .strict()
  .superRefine((table, ctx) => {
    for (const column of table.exclude) {
      if (table.primaryKey?.includes(column))
        ctx.addIssue({
          code: "custom",
          path: ["exclude"],
          message: `"${column}" is a primary-key column and cannot be excluded`,
        });
      if (Object.hasOwn(table.columns, column))
        ctx.addIssue({ code: "custom", path: ["exclude"], message: typedAndExcluded(column) });
    }
  });

const routeSchema = z
  .object({ index: indexName, table: tableName, when: conditionSchema.optional() })
  .strict();

const configSchema = z
  .object({
    defaults: z
      .object({
        index: indexName.default("{schema}_{table}"),
        onCoercionError: onCoercionError.default("dead-letter"),
      })
      .strict()
      .default({ index: "{schema}_{table}", onCoercionError: "dead-letter" }),
    // `tables:` with nothing under it (YAML null) reads as no tables, which the check below names.
    tables: z
      .record(z.string(), tableSchema)
      .nullish()
      .transform((t) => t ?? {}),
    routes: z.array(routeSchema).default([]),
  })
  .strict()
  .superRefine((config, ctx) => {
    // Nothing to capture is a mistake (an empty file, `tables` misspelt or unindented), and a DMS task
    // needs at least one selection rule.
    if (Object.keys(config.tables).length === 0)
      ctx.addIssue({
        code: "custom",
        path: ["tables"],
        message:
          "no tables: name at least one table to capture (tables: {schema.table: {primaryKey: [...]}})",
      });
    // Names filled in from a table's name may meet (`Sales.Order` and `sales.order` both give
    // `sales_order`): two tables would then share an index by accident and their documents overwrite each
    // other's. Sharing one is said with an `index:` of the same name on each.
    const filledIn = new Map<string, string>();
    for (const [key, table] of Object.entries(config.tables)) {
      if (!tableName.safeParse(key).success) {
        ctx.addIssue({
          code: "custom",
          path: ["tables", key],
          message: `"${key}": ${TABLE_NAME_RULE}`,
        });
        continue;
      }
      // A name without placeholders is checked as written (indexName); one with them once filled in.
      const template = table.index ?? config.defaults.index;
      if (!template.includes("{")) continue;
      const [schema, name] = key.split(".") as [string, string];
      const index = indexNameOf(template, schema, name);
      const problem = indexNameProblem(index);
      if (problem)
        ctx.addIssue({
          code: "custom",
          path: ["tables", key],
          message: `"${key}": its index name "${index}" ${problem}; give the table an \`index:\``,
        });
      const other = filledIn.get(index);
      if (other)
        ctx.addIssue({
          code: "custom",
          path: ["tables", key],
          message: `"${key}": its index name "${index}" is also "${other}"'s, filled in from their names; give one an \`index:\` (the same \`index:\` on both shares one on purpose)`,
        });
      filledIn.set(index, key);
    }
  });

export type PipelineConfigInput = z.input<typeof configSchema>;

export type TableRouting = {
  table: string;
  index: string;
  primaryKey: string[] | undefined;
  /** Declared column types. */
  columns: Record<string, ColumnType>;
  /** Declared columns with their options (what the indexer coerces to and the index templates map). */
  columnSpecs: Record<string, ColumnSpec>;
  exclude: Set<string>;
  /** Filtered indices: each with its predicate and its condition as written (JSON; `{}` for none). */
  routes: { index: string; matches: Predicate; condition: string }[];
};

/** The indices a table writes to: its own, then its routes'. */
export const indicesOf = (routing: TableRouting): string[] => [
  routing.index,
  ...routing.routes.map((route) => route.index),
];

export type PipelineConfig = {
  /** Routing for a table; tables not in the config get the defaults. */
  routingFor(schema: string, table: string): TableRouting;
  /** Every index the config names for a table (its own and its routes'), for verify and redrive. */
  tables(): TableRouting[];
};

function fieldValue(ctx: MatchContext, path: string): unknown {
  if (path === "$operation") return ctx.operation;
  if (path === "$schema") return ctx.schema;
  if (path === "$table") return ctx.table;
  // Own properties only: a field named `constructor` that the row lacks is absent, not Object.
  if (Object.hasOwn(ctx.row, path)) return leafValue(ctx.row[path]);
  return leafValue(valueAt(ctx.row, path.split("."), 0));
}

/** The value at a dotted path; through a list, the values found in its elements (undefined when none). */
function valueAt(value: unknown, parts: string[], from: number): unknown {
  let current = value;
  for (let i = from; i < parts.length; i++) {
    if (Array.isArray(current)) {
      const found = current.map((item) => valueAt(item, parts, i)).filter((v) => v !== undefined);
      return found.length > 0 ? found : undefined;
    }
    const part = parts[i] as string;
    if (
      current === null ||
      typeof current !== "object" ||
      isKeptNumber(current) ||
      !Object.hasOwn(current, part)
    )
      return undefined;
    current = (current as Record<string, unknown>)[part];
  }
  return current;
}

/** A number a json column keeps as its text (shared/exact-json.ts) is matched as that text, like a
 * numeric column's digit string. */
const leafValue = (value: unknown): unknown =>
  isKeptNumber(value) ? value.rawJSON : Array.isArray(value) ? value.map(leafValue) : value;

export function compileCondition(condition: Condition): Predicate {
  if ("all" in condition) {
    const parts = condition.all.map(compileCondition);
    return (ctx) => parts.every((p) => p(ctx));
  }
  if ("any" in condition) {
    const parts = condition.any.map(compileCondition);
    return (ctx) => parts.some((p) => p(ctx));
  }
  if ("not" in condition) {
    const inner = compileCondition(condition.not);
    return (ctx) => !inner(ctx);
  }
  const leaf = condition as Record<string, unknown> & { field: string };
  const name = OPERATOR_NAMES.find((op) => leaf[op] !== undefined) as OperatorName;
  const compile = OPERATORS[name].compile as (
    operand: unknown,
    get: (ctx: MatchContext) => unknown,
  ) => Predicate;
  return compile(leaf[name], (ctx) => fieldValue(ctx, leaf.field));
}

const formatIssues = (error: z.ZodError): string =>
  issueLines(error)
    .map((line) => `  - ${line}`)
    .join("\n");

/**
 * zod's record assigns the keys it returns, and an assigned `__proto__` sets the prototype instead: a
 * column named `__proto__` (validated with the others) would vanish from `columns`. Put it back as the own
 * entry it is in the YAML (shared/own-properties.ts).
 */
function keepProtoColumns(raw: unknown, config: z.infer<typeof configSchema>, source: string): void {
  const rawTables = (raw as { tables?: Record<string, { columns?: Record<string, unknown> }> }).tables;
  for (const [name, table] of Object.entries(config.tables)) {
    const rawColumns = ownValue(rawTables, name)?.columns;
    if (!rawColumns || !Object.hasOwn(rawColumns, "__proto__")) continue;
    // The schema's own check could not see this column.
    if (table.exclude.includes("__proto__"))
      throw new ConfigError(
        `${source} is invalid:\n  - tables.${name}.exclude: ${typedAndExcluded("__proto__")}`,
      );
    setOwn(table.columns, "__proto__", columnSpec.parse(ownValue(rawColumns, "__proto__")));
  }
}

/** A short digest of the routing config's text: a change of it reruns the search bootstrap on deploy. */
export function pipelineConfigDigest(yamlText: string): string {
  return createHash("sha256").update(yamlText).digest("hex").slice(0, 16);
}

/**
 * Tables a config's routing lookup remembers. Configured tables are few; a table the config does not name
 * gets the defaults, and records can name any table: past this many, such tables are looked up afresh
 * each time, so no stream of table names grows the indexer's memory.
 */
export const MAX_REMEMBERED_TABLES = 1_000;

/** Parses and validates the config; throws ConfigError listing every problem. */
export function parsePipelineConfig(
  yamlText: string,
  options: { indexPrefix?: string; source?: string } = {},
): PipelineConfig {
  const source = options.source ?? "pipeline config";
  let raw: unknown;
  try {
    raw = parseYaml(yamlText) ?? {};
  } catch (cause) {
    throw new ConfigError(`${source}: not valid YAML: ${(cause as Error).message}`, { cause });
  }
  const result = configSchema.safeParse(raw);
  if (!result.success) throw new ConfigError(`${source} is invalid:\n${formatIssues(result.error)}`);
  const config = result.data;
  keepProtoColumns(raw, config, source);
  const prefix = options.indexPrefix ?? "";
  const name = (template: string, schema: string, table: string) =>
    `${prefix}${indexNameOf(template, schema, table)}`.toLowerCase();

  const routesByTable = new Map<string, TableRouting["routes"]>();
  for (const route of config.routes) {
    const list = routesByTable.get(route.table) ?? [];
    list.push({
      index: `${prefix}${route.index}`,
      matches: route.when ? compileCondition(route.when) : () => true,
      condition: JSON.stringify(route.when ?? {}),
    });
    routesByTable.set(route.table, list);
  }
  // Per schema, per table: a lookup per record builds no `schema.table` string.
  const cache = new Map<string, Map<string, TableRouting>>();
  let remembered = 0;
  const build = (schema: string, table: string): TableRouting => {
    const key = `${schema}.${table}`;
    const t = Object.hasOwn(config.tables, key) ? config.tables[key] : undefined;
    return {
      table: key,
      index: name(t?.index ?? config.defaults.index, schema, table),
      primaryKey: t?.primaryKey,
      columns: Object.fromEntries(Object.entries(t?.columns ?? {}).map(([c, spec]) => [c, spec.type])),
      columnSpecs: t?.columns ?? {},
      exclude: new Set(t?.exclude ?? []),
      routes: routesByTable.get(key) ?? [],
    };
  };
  const routingFor = (schema: string, table: string): TableRouting => {
    const known = cache.get(schema)?.get(table);
    if (known) return known;
    const routing = build(schema, table);
    if (remembered < MAX_REMEMBERED_TABLES) {
      let tables = cache.get(schema);
      if (!tables) {
        tables = new Map();
        cache.set(schema, tables);
      }
      tables.set(table, routing);
      remembered++;
    }
    return routing;
  };
  // The configured tables first, so they are always remembered.
  for (const key of [...Object.keys(config.tables), ...routesByTable.keys()]) {
    const [schema, table] = key.split(".") as [string, string];
    routingFor(schema, table);
  }
  return {
    routingFor,
    tables: () =>
      [...new Set([...Object.keys(config.tables), ...routesByTable.keys()])].map((key) => {
        const [schema, table] = key.split(".") as [string, string];
        return routingFor(schema, table);
      }),
  };
}
