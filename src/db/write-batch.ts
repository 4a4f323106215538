import type { Sequelize } from 'sequelize';
import { directSql, type SqlValue } from './direct-sql.js';

/** One write of a batch: a statement with `?` placeholders and its values. */
export interface BatchedWrite {
  text: string;
  params: readonly SqlValue[];
}

/**
 * Writes that stand alone (no reads in between, no transaction around them) but belong to one
 * event, such as a candidate's sign-in: the session it starts and its audit entry. Repositories
 * add their statements here instead of sending them; the runner below sends them once the work
 * is done, on PostgreSQL as one statement: one round trip instead of one per write, and all or
 * none of them. On an exam morning 1500 sign-ins come within a minute, and each round trip costs
 * examgate CPU (driver, pool, system calls) as well as time.
 */
export class WriteBatch {
  readonly #writes: BatchedWrite[] = [];

  add(text: string, params: readonly SqlValue[]): void {
    this.#writes.push({ text, params });
  }

  get writes(): readonly BatchedWrite[] {
    return this.#writes;
  }
}

/** Runs `work` with a fresh batch, then sends what it added; nothing is written when `work` throws. */
export type RunWritesTogether = <T>(work: (batch: WriteBatch) => Promise<T>) => Promise<T>;

export function writesTogetherRunner(sequelize: Sequelize): RunWritesTogether {
  const sql = directSql(sequelize);
  return async (work) => {
    const batch = new WriteBatch();
    const result = await work(batch);
    await sql.runTogether(batch.writes);
    return result;
  };
}
