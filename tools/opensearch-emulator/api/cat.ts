/**
 * The `_cat` API a person types at a terminal: `_cat/indices`, `_cat/count` and `_cat/health`, as
 * OpenSearch's text tables (`v` for a header row, `h` to pick columns by name or alias, `s` to sort,
 * `format=json` for an array of objects with string values, `health` to filter indices).
 */
import { HttpError, queryFlag, wildcard } from "../http";
import type { Request, Route } from "../router";
import type { IndexSummary, OpenSearchEmulator } from "../server";

/** A `_cat` answer as text (`text/plain`), not JSON. */
export class TextBody {
  constructor(readonly text: string) {}
}

type Column<Row> = {
  name: string;
  aliases: string[];
  /** Numbers are right-aligned, as OpenSearch aligns them. */
  numeric?: boolean;
  /** What `s` sorts by, when not the text (sizes sort by bytes). */
  order?: (row: Row) => number;
  /** Shown when `h` is not given. */
  shown: boolean;
  value(row: Row): string;
};

const column = <Row>(
  name: string,
  aliases: string[],
  value: (row: Row) => string,
  options: { numeric?: boolean; shown?: boolean; order?: (row: Row) => number } = {},
): Column<Row> => ({
  name,
  aliases,
  value,
  numeric: options.numeric,
  order: options.order,
  shown: options.shown ?? true,
});

/** Sizes as OpenSearch's ByteSizeValue writes them: `208b`, `5.1kb`, `1mb`. */
export function byteSize(bytes: number): string {
  const units = ["b", "kb", "mb", "gb", "tb"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const rounded = Math.round(value * 10) / 10;
  return `${Number.isInteger(rounded) ? rounded : rounded.toFixed(1)}${units[unit]}`;
}

const INDEX_COLUMNS: Column<IndexSummary>[] = [
  column("health", ["h"], (i) => i.health),
  column("status", ["s"], () => "open"),
  column("index", ["i", "idx"], (i) => i.name),
  column("uuid", ["id", "uuid"], (i) => i.uuid),
  column("pri", ["p", "shards.primary", "shardsPrimary"], (i) => String(i.primaries), { numeric: true }),
  column("rep", ["r", "shards.replica", "shardsReplica"], (i) => String(i.replicas), { numeric: true }),
  column("docs.count", ["dc", "docsCount"], (i) => String(i.docs), { numeric: true }),
  column("docs.deleted", ["dd", "docsDeleted"], () => "0", { numeric: true }),
  column("creation.date", ["cd"], (i) => String(i.createdAt), { numeric: true, shown: false }),
  column("creation.date.string", ["cds"], (i) => new Date(i.createdAt).toISOString(), { shown: false }),
  column("store.size", ["ss", "storeSize"], (i) => byteSize(i.bytes), {
    numeric: true,
    order: (i) => i.bytes,
  }),
  column("pri.store.size", [], (i) => byteSize(i.bytes), { numeric: true, order: (i) => i.bytes }),
];

type Count = { epoch: number; count: number };
const COUNT_COLUMNS: Column<Count>[] = [
  column("epoch", ["t", "time"], (c) => String(Math.floor(c.epoch / 1000)), { numeric: true }),
  column("timestamp", ["ts", "hms", "hhmmss"], (c) => new Date(c.epoch).toISOString().slice(11, 19)),
  column("count", ["dc", "docs.count", "docsCount"], (c) => String(c.count), { numeric: true }),
];

type Health = ReturnType<OpenSearchEmulator["clusterHealth"]> & { epoch: number };
const HEALTH_COLUMNS: Column<Health>[] = [
  column("epoch", ["t", "time"], (h) => String(Math.floor(h.epoch / 1000)), { numeric: true }),
  column("timestamp", ["ts", "hms", "hhmmss"], (h) => new Date(h.epoch).toISOString().slice(11, 19)),
  column("cluster", ["cl"], (h) => h.cluster_name),
  column("status", ["st"], (h) => h.status),
  column("node.total", ["nt", "nodeTotal"], (h) => String(h.number_of_nodes), { numeric: true }),
  column("node.data", ["nd", "nodeData"], (h) => String(h.number_of_data_nodes), { numeric: true }),
  column("discovered_cluster_manager", ["dcm"], () => "true"),
  column("shards", ["sh", "shards.total"], (h) => String(h.active_shards), { numeric: true }),
  column("pri", ["p", "shards.primary"], (h) => String(h.active_primary_shards), { numeric: true }),
  column("relo", ["r", "shards.relocating"], () => "0", { numeric: true }),
  column("init", ["i", "shards.initializing"], () => "0", { numeric: true }),
  column("unassign", ["u", "shards.unassigned"], (h) => String(h.unassigned_shards), { numeric: true }),
  column("pending_tasks", ["pt", "pendingTasks"], () => "0", { numeric: true }),
  column("max_task_wait_time", ["mtwt", "maxTaskWaitTime"], () => "-", { numeric: true }),
  column("active_shards_percent", ["asp"], (h) => `${h.active_shards_percent_as_number.toFixed(1)}%`, {
    numeric: true,
  }),
];

const flag = (req: Request, name: string) => queryFlag(req.url, name);

/** The columns `h` names (by name, alias or `*` pattern), each with the name it was asked by. */
function pick<Row>(columns: Column<Row>[], h: string | null): { col: Column<Row>; as: string }[] {
  if (h === null || h === "") return columns.filter((c) => c.shown).map((col) => ({ col, as: col.name }));
  return h.split(",").flatMap((asked) => {
    if (asked.includes("*")) {
      const re = wildcard(asked);
      return columns.filter((c) => re.test(c.name)).map((col) => ({ col, as: col.name }));
    }
    const col = columns.find((c) => c.name === asked || c.aliases.includes(asked));
    // OpenSearch answers 400 for a column it does not know.
    if (!col) throw new HttpError(400, "illegal_argument_exception", `unable to find column [${asked}]`);
    return [{ col, as: asked }];
  });
}

/** Two rows by one column: by its order when it has one, numbers as numbers, text as text. */
function compare<Row>(col: Column<Row>, a: Row, b: Row): number {
  if (col.order) return col.order(a) - col.order(b);
  const [x, y] = [col.value(a), col.value(b)];
  if (col.numeric && x !== "-" && y !== "-") return Number(x) - Number(y);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Rows sorted by `s` (`col`, `col:asc`, `col:desc`, comma-separated), numbers as numbers. */
function sortRows<Row>(rows: Row[], columns: Column<Row>[], s: string | null): Row[] {
  if (!s) return rows;
  const keys = s.split(",").map((part) => {
    const [name, order = "asc"] = part.split(":");
    const col = columns.find((c) => c.name === name || c.aliases.includes(name as string));
    if (!col)
      throw new HttpError(
        400,
        "unsupported_operation_exception",
        `Unable to sort by unknown sort key \`${name}\``,
      );
    return { col, desc: order === "desc" };
  });
  return [...rows].sort((a, b) => {
    for (const { col, desc } of keys) {
      const order = compare(col, a, b);
      if (order !== 0) return desc ? -order : order;
    }
    return 0;
  });
}

/** The table as OpenSearch writes it: text (columns padded, numbers right-aligned) or JSON. */
function table<Row>(req: Request, columns: Column<Row>[], rows: Row[]): TextBody | Record<string, string>[] {
  const format = req.url.searchParams.get("format") ?? "text";
  if (format !== "text" && format !== "json")
    throw new HttpError(
      400,
      "illegal_argument_exception",
      `format=${format} is not supported by the emulator`,
    );
  const picked = pick(columns, req.url.searchParams.get("h"));
  const sorted = sortRows(rows, columns, req.url.searchParams.get("s"));
  if (format === "json")
    return sorted.map((row) => Object.fromEntries(picked.map(({ col, as }) => [as, col.value(row)])));
  const cells = sorted.map((row) => picked.map(({ col }) => col.value(row)));
  if (flag(req, "v")) cells.unshift(picked.map(({ as }) => as));
  const widths = picked.map((_, c) => Math.max(0, ...cells.map((r) => (r[c] as string).length)));
  const lines = cells.map((r, at) =>
    r
      .map((cell, c) => {
        const width = widths[c] as number;
        const header = at === 0 && flag(req, "v");
        const padded = picked[c]?.col.numeric && !header ? cell.padStart(width) : cell.padEnd(width);
        return c === r.length - 1 ? padded.trimEnd() : padded;
      })
      .join(" "),
  );
  return new TextBody(lines.map((l) => `${l}\n`).join(""));
}

const HEALTHS = new Set(["green", "yellow", "red"]);

export function catRoutes(em: OpenSearchEmulator): Route[] {
  const indices = (req: Request, expression?: string) => {
    const health = req.url.searchParams.get("health");
    if (health !== null && !HEALTHS.has(health))
      throw new HttpError(400, "illegal_argument_exception", `unknown health status [${health}]`);
    const found = em
      .resolveIndices(expression, { ignoreMissing: expression === undefined })
      .map((i) => em.summary(i))
      .filter((i) => health === null || i.health === health)
      .sort((a, b) => (a.name < b.name ? -1 : 1));
    return table(req, INDEX_COLUMNS, found);
  };
  const count = (req: Request, expression?: string) => {
    const total = em.resolveIndices(expression).reduce((n, i) => n + em.summary(i).docs, 0);
    return table(req, COUNT_COLUMNS, [{ epoch: Date.now(), count: total }]);
  };
  return [
    { methods: ["GET"], path: "/_cat/indices", handler: (req) => [200, indices(req)] },
    {
      methods: ["GET"],
      path: "/_cat/indices/{index}",
      handler: (req) => [200, indices(req, req.params.index)],
    },
    { methods: ["GET"], path: "/_cat/count", handler: (req) => [200, count(req)] },
    { methods: ["GET"], path: "/_cat/count/{index}", handler: (req) => [200, count(req, req.params.index)] },
    {
      methods: ["GET"],
      path: "/_cat/health",
      handler: (req) => {
        const health = { ...em.clusterHealth(), epoch: Date.now() };
        const columns =
          flag(req, "ts") || req.url.searchParams.get("ts") === null
            ? HEALTH_COLUMNS
            : HEALTH_COLUMNS.filter((c) => c.name !== "epoch" && c.name !== "timestamp");
        return [200, table(req, columns, [health])];
      },
    },
  ];
}
