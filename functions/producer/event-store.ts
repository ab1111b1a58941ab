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

/** Deadlock and serialization failures: the whole batch transaction is retried. */
const RETRYABLE_TRANSACTION = new Set(["40P01", "40001"]);
const MAX_TRANSACTION_ATTEMPTS = 3;

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

export class EventStore {
  constructor(private readonly pool: pg.Pool) {}

  async save(row: EventRow): Promise<SaveOutcome> {
    try {
      return await saveOne(this.pool, row);
    } catch (error) {
      throw databaseFailure("insert", error);
    }
  }

  /**
   * All rows in one transaction; outcomes in input order. Rows are written in id order so two
   * batches sharing ids lock them in the same order and cannot deadlock each other.
   */
  async saveAll(rows: readonly EventRow[]): Promise<SaveOutcome[]> {
    const order = rows
      .map((row, index) => ({ row, index }))
      .sort((a, b) => (a.row.id < b.row.id ? -1 : a.row.id > b.row.id ? 1 : a.index - b.index));
    for (let attempt = 1; ; attempt++) {
      let client: pg.PoolClient | undefined;
      try {
        client = await this.pool.connect();
        await client.query("BEGIN");
        const outcomes: SaveOutcome[] = new Array(rows.length);
        for (const { row, index } of order) outcomes[index] = await saveOne(client, row);
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
