/**
 * Creating a logical replication slot waits until every transaction running on the server with a
 * transaction id has ended (any database: its starting snapshot must be consistent), as a DMS task's
 * start does. A psql session left in `BEGIN` after a write, or an application's long transaction, would
 * hold `npm start` at "starting ..." with no word: after a few seconds the capture names them.
 */
import type pg from "pg";

export type OpenTransaction = {
  pid: number;
  database: string | null;
  user: string | null;
  state: string | null;
  seconds: number | null;
  query: string | null;
};

/** Transactions holding a transaction id, but the waiting backend's own (visible in full to a superuser). */
export async function openTransactions(db: pg.Pool | pg.Client, except: number): Promise<OpenTransaction[]> {
  const { rows } = await db.query<OpenTransaction>(
    `SELECT pid, datname AS database, usename AS "user", state,
            floor(extract(epoch FROM now() - xact_start))::int AS seconds, left(query, 60) AS query
       FROM pg_stat_activity
      WHERE backend_xid IS NOT NULL AND pid <> $1
      ORDER BY xact_start`,
    [except],
  );
  return rows;
}

export function describeOpenTransactions(slot: string, open: OpenTransaction[]): string {
  const shown = open.slice(0, 5).map((t) => {
    const where = [t.database && `database ${t.database}`, t.user && `user ${t.user}`].filter(Boolean);
    const since = t.seconds === null ? "" : `, open ${t.seconds} s`;
    const doing = t.state ? `, ${t.state}${t.query ? `: ${JSON.stringify(t.query)}` : ""}` : "";
    return `pid ${t.pid} (${where.join(", ")}${since}${doing})`;
  });
  const more = open.length > shown.length ? ` and ${open.length - shown.length} more` : "";
  const which =
    open.length > 0
      ? `: ${shown.join("; ")}${more}`
      : " (none visible to this user: pg_stat_activity shows other users' sessions to a superuser or pg_read_all_stats)";
  return `capture: creating the replication slot ${slot} waits for the transactions open on the server to end${which}; commit or roll them back (or SELECT pg_terminate_backend(<pid>))`;
}

/**
 * `work` (the slot's creation), saying what it waits for once it has taken `afterMs`, and again whenever
 * the open transactions change (checked every `everyMs`).
 */
export async function sayingWhatSlotCreationWaitsFor<T>(
  work: Promise<T>,
  lookup: () => Promise<OpenTransaction[]>,
  say: (line: string) => void,
  describe: (open: OpenTransaction[]) => string,
  { afterMs = 3_000, everyMs = 3_000 } = {},
): Promise<T> {
  let done = false;
  let said: string | undefined;
  const check = async () => {
    const open = await lookup().catch(() => undefined);
    if (done || open === undefined) return;
    const key = open.map((t) => t.pid).join(",");
    if (key !== said) say(describe(open));
    said = key;
  };
  let timer: NodeJS.Timeout | undefined;
  const schedule = (ms: number) => {
    timer = setTimeout(() => {
      void check().finally(() => {
        if (!done) schedule(everyMs);
      });
    }, ms);
  };
  schedule(afterMs);
  try {
    return await work;
  } finally {
    done = true;
    clearTimeout(timer);
  }
}
