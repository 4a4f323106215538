import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import { unitSql } from '../db/unit-sql.js';

/** What an import keeps in parts: its lines (for the report CSV) and its payload (the rows a commit applies). */
export type ImportPart = 'lines' | 'payload';

/** Parts read per query: a few at a time, so a 100 000-row import is never held as text all at once. */
const PARTS_PER_READ = 4;

/** Queries over import_parts (migration 0026): numbered JSON parts of an import's lines and payload. */
export class ImportPartsRepository {
  constructor(private readonly sequelize: Sequelize) {}

  /** Stores part `seq` of an import; in `unit`, with the import's other parts and its row. */
  async append(importId: string, part: ImportPart, seq: number, rows: readonly unknown[], unit: UnitOfWork): Promise<void> {
    await unitSql(this.sequelize, unit).run('INSERT INTO import_parts (import_id, part, seq, body) VALUES (?, ?, ?, ?)', [
      importId,
      part,
      seq,
      JSON.stringify(rows),
    ]);
  }

  /** Every part's rows in order, a few parts read per query. */
  async *read(importId: string, part: ImportPart, unit?: UnitOfWork): AsyncGenerator<unknown[]> {
    let after = -1;
    for (;;) {
      const found = await this.sequelize.query<{ seq: number; body: string }>(
        `SELECT seq, body FROM import_parts WHERE import_id = :importId AND part = :part AND seq > :after ORDER BY seq LIMIT ${PARTS_PER_READ}`,
        { replacements: { importId, part, after }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
      );
      for (const row of found) {
        after = Number(row.seq);
        yield JSON.parse(row.body) as unknown[];
      }
      if (found.length < PARTS_PER_READ) {
        return;
      }
    }
  }

  /** Calls (and awaits) `each` with every part's rows in order; returns how many parts there were. */
  async each(importId: string, part: ImportPart, each: (rows: unknown[]) => void | Promise<void>, unit?: UnitOfWork): Promise<number> {
    let count = 0;
    for await (const rows of this.read(importId, part, unit)) {
      count += 1;
      await each(rows);
    }
    return count;
  }

  async remove(importId: string, part: ImportPart, unit?: UnitOfWork): Promise<void> {
    await this.sequelize.query('DELETE FROM import_parts WHERE import_id = :importId AND part = :part', {
      replacements: { importId, part },
      type: QueryTypes.DELETE,
      transaction: transactionOf(unit),
    });
  }

  /** The parts of previews that expired uncommitted (deleted before the previews themselves). */
  async removeOfExpired(now: Date): Promise<void> {
    await this.sequelize.query(
      `DELETE FROM import_parts WHERE import_id IN (SELECT id FROM imports WHERE status = 'preview' AND expires_at < :now)`,
      { replacements: { now }, type: QueryTypes.DELETE },
    );
  }
}
