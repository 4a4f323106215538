import { QueryTypes, type Sequelize } from 'sequelize';
import { transactionOf, type UnitOfWork } from '../db/unit-of-work.js';
import type { LmsPerson } from './candidate.js';

/** Course members a sync left out over the cap, in queue order (first left out, first in). */
export class LeftOutRepository {
  constructor(private readonly sequelize: Sequelize) {}

  async list(examId: string, unit?: UnitOfWork): Promise<LmsPerson[]> {
    const rows = await this.sequelize.query<{ lms_user_id: string; name: string | null; email: string | null; sis_id: string | null }>(
      'SELECT lms_user_id, name, email, sis_id FROM roster_left_out WHERE exam_id = :examId ORDER BY position',
      { replacements: { examId }, type: QueryTypes.SELECT, transaction: transactionOf(unit) },
    );
    return rows.map((row) => ({ userId: row.lms_user_id, name: row.name, email: row.email, sisId: row.sis_id }));
  }

  async find(examId: string, userId: string, unit?: UnitOfWork): Promise<LmsPerson | null> {
    return (await this.list(examId, unit)).find((person) => person.userId === userId) ?? null;
  }

  /** Replaces the whole list: a sync knows it in full, and its order is the queue. */
  async replace(examId: string, people: LmsPerson[], unit: UnitOfWork): Promise<void> {
    const transaction = transactionOf(unit);
    await this.sequelize.query('DELETE FROM roster_left_out WHERE exam_id = :examId', { replacements: { examId }, transaction });
    // Chunks keep each statement under SQLite's bound-parameter limit.
    for (let start = 0; start < people.length; start += 150) {
      const chunk = people.slice(start, start + 150);
      const replacements: Record<string, unknown> = { examId };
      const values = chunk.map((person, i) => {
        Object.assign(replacements, {
          [`u${i}`]: person.userId,
          [`p${i}`]: start + i,
          [`n${i}`]: person.name,
          [`e${i}`]: person.email,
          [`s${i}`]: person.sisId,
        });
        return `(:examId, :u${i}, :p${i}, :n${i}, :e${i}, :s${i})`;
      });
      await this.sequelize.query(
        `INSERT INTO roster_left_out (exam_id, lms_user_id, position, name, email, sis_id) VALUES ${values.join(', ')}`,
        {
          replacements,
          transaction,
        },
      );
    }
  }

  async remove(examId: string, userId: string, unit: UnitOfWork): Promise<void> {
    await this.sequelize.query('DELETE FROM roster_left_out WHERE exam_id = :examId AND lms_user_id = :userId', {
      replacements: { examId, userId },
      transaction: transactionOf(unit),
    });
  }
}

/** True when two lists hold the same people, with the same facts, in the same order. */
export function sameLeftOut(a: LmsPerson[], b: LmsPerson[]): boolean {
  return (
    a.length === b.length &&
    a.every((p, i) => {
      const q = b[i];
      return q !== undefined && p.userId === q.userId && p.name === q.name && p.email === q.email && p.sisId === q.sisId;
    })
  );
}
