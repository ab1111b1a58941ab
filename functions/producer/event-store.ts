/**
 * `business_events` reads and writes. Parameterized SQL only; every failure becomes a typed error
 * (database-errors.ts).
 *
 * Idempotency: `INSERT … ON CONFLICT (id) DO NOTHING` either creates the row or waits for whoever
 * holds the id and then does nothing; a second statement (a new snapshot, so it sees that winner)
 * compares the stored event with this one: equal JSONB is a duplicate, anything else a conflict.
 */
import type pg from "pg";
import { databaseFailure } from "./database-errors";
import type { EventRow } from "./event-row";

export type SaveOutcome = "created" | "duplicate" | "conflict";

export type StoredEvent = {
  id: string;
  eventName: string;
  eventType: string | null;
  createdDate: Date | null;
  savedDate: Date | null;
  eventData: unknown;
};

type Queryable = Pick<pg.Pool, "query"> | pg.PoolClient;

const INSERT = `INSERT INTO public.business_events (id, event_name, event_type, created_date, saved_date, event_data)
VALUES ($1, $2, $3, $4, $5, $6::jsonb)
ON CONFLICT (id) DO NOTHING`;

const COMPARE = "SELECT event_data = $2::jsonb AS same FROM public.business_events WHERE id = $1";

const SELECT = `SELECT id, event_name, event_type, created_date, saved_date, event_data
FROM public.business_events WHERE id = $1`;

/**
 * A batch in two statements, whatever its size: every row inserted in one (in id order, so two batches
 * sharing ids lock them in the same order; of several events with one id, the first in the batch), then
 * every other event compared with the stored one in a second, which sees the rows of the first and of
 * whoever committed meanwhile.
 */
const INSERT_MANY = `INSERT INTO public.business_events (id, event_name, event_type, created_date, saved_date, event_data)
SELECT id, event_name, event_type, created_date, saved_date, event_data
FROM unnest($1::varchar[], $2::varchar[], $3::varchar[], $4::timestamptz[], $5::timestamptz[], $6::jsonb[])
  WITH ORDINALITY AS e(id, event_name, event_type, created_date, saved_date, event_data, ord)
ORDER BY id COLLATE "C", ord
ON CONFLICT (id) DO NOTHING
RETURNING id`;

const COMPARE_MANY = `SELECT e.ord::int AS ord, b.event_data = e.event_data AS same
FROM unnest($1::varchar[], $2::jsonb[]) WITH ORDINALITY AS e(id, event_data, ord)
JOIN public.business_events b ON b.id = e.id`;

/** Deadlock and serialization failures: the whole batch transaction is retried. */
const RETRYABLE_TRANSACTION = new Set(["40P01", "40001"]);
const MAX_TRANSACTION_ATTEMPTS = 3;

/**
 * One event: the same two steps as saveMany with plain VALUES. Measured: a single POST through the
 * batch's unnest statements takes about 1.5x as long (`npm run bench -- producer`).
 */
async function saveOne(db: Queryable, row: EventRow): Promise<SaveOutcome> {
  const data = JSON.stringify(row.eventData);
  // A row deleted between the two statements is simply inserted on the next round.
  for (let round = 1; ; round++) {
    const inserted = await db.query(INSERT, [
      row.id,
      row.eventName,
      row.eventType,
      row.createdDate,
      row.savedDate,
      data,
    ]);
    if (inserted.rowCount === 1) return "created";
    const existing = await db.query<{ same: boolean }>(COMPARE, [row.id, data]);
    const first = existing.rows[0];
    if (first) return first.same ? "duplicate" : "conflict";
    if (round === 3) throw new Error(`event ${row.id} keeps appearing and disappearing`);
  }
}

/** Every row of a batch in two statements (a third and fourth only for rows deleted in between). */
async function saveMany(db: Queryable, rows: readonly EventRow[]): Promise<SaveOutcome[]> {
  const outcomes: SaveOutcome[] = new Array(rows.length);
  let pending = rows.map((row, index) => ({ row, index, data: JSON.stringify(row.eventData) }));
  for (let round = 1; pending.length > 0; round++) {
    if (round > 3) throw new Error("events keep appearing and disappearing");
    const inserted = await db.query<{ id: string }>(INSERT_MANY, [
      pending.map((p) => p.row.id),
      pending.map((p) => p.row.eventName),
      pending.map((p) => p.row.eventType),
      pending.map((p) => p.row.createdDate),
      pending.map((p) => p.row.savedDate),
      pending.map((p) => p.data),
    ]);
    // Of several events with one id, the first in the batch is the one inserted.
    const created = new Set(inserted.rows.map((r) => r.id));
    const compare = pending.filter((p) => {
      if (!created.delete(p.row.id)) return true;
      outcomes[p.index] = "created";
      return false;
    });
    if (compare.length === 0) break;
    const compared = await db.query<{ ord: number; same: boolean }>(COMPARE_MANY, [
      compare.map((p) => p.row.id),
      compare.map((p) => p.data),
    ]);
    const same = new Map(compared.rows.map((r) => [r.ord, r.same]));
    // A row deleted between the two statements is simply inserted on the next round.
    pending = compare.filter((p, i) => {
      const equal = same.get(i + 1);
      if (equal === undefined) return true;
      outcomes[p.index] = equal ? "duplicate" : "conflict";
      return false;
    });
  }
  return outcomes;
}

export class EventStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(row: EventRow): Promise<SaveOutcome> {
    try {
      return await saveOne(this.pool, row);
    } catch (error) {
      throw databaseFailure("insert", error);
    }
  }

  /** All rows in one transaction (saveMany); outcomes in input order. */
  async saveAll(rows: readonly EventRow[]): Promise<SaveOutcome[]> {
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query("BEGIN");
        const outcomes = await saveMany(client, rows);
        await client.query("COMMIT");
        client.release();
        return outcomes;
      } catch (error) {
        if (client) {
          // A broken connection must not go back into the pool.
          const rolledBack = await client.query("ROLLBACK").then(
            () => true,
            () => false,
          );
          client.release(rolledBack ? undefined : true);
        }
        const code = (error as { code?: string }).code ?? "";
        if (RETRYABLE_TRANSACTION.has(code) && attempt < MAX_TRANSACTION_ATTEMPTS) continue;
        throw databaseFailure("batch insert", error);
      }
    }
  }

  async find(id: string): Promise<StoredEvent | undefined> {
    try {
      const result = await this.pool.query(SELECT, [id]);
      const r = result.rows[0];
      if (!r) return undefined;
      return {
        id: r.id,
        eventName: r.event_name,
        eventType: r.event_type,
        createdDate: r.created_date,
        savedDate: r.saved_date,
        eventData: r.event_data,
      };
    } catch (error) {
      throw databaseFailure("select", error);
    }
  }

  /** Round trip to the database; resolves to the latency in milliseconds. */
  async ping(): Promise<number> {
    const started = performance.now();
    try {
      await this.pool.query("SELECT 1");
    } catch (error) {
      throw databaseFailure("health check", error);
    }
    return Math.round(performance.now() - started);
  }
}
