import type { Sequelize, Transaction } from 'sequelize';
import { withTransaction } from './transactions.js';

const transactions = new WeakMap<UnitOfWork, Transaction>();

/**
 * Writes that commit together or not at all. Services pass it from one repository call to
 * the next without seeing the database's own transaction type; only repositories (through
 * `transactionOf`) look inside.
 */
export class UnitOfWork {
  private constructor() {}

  /** @internal For db/ only. */
  static wrap(transaction: Transaction): UnitOfWork {
    const unit = new UnitOfWork();
    transactions.set(unit, transaction);
    return unit;
  }
}

/** Runs `work` in one transaction: everything it writes through the unit commits, or nothing does. */
export type RunInUnitOfWork = <T>(work: (unit: UnitOfWork) => Promise<T>) => Promise<T>;

export function unitOfWorkRunner(sequelize: Sequelize): RunInUnitOfWork {
  return (work) => withTransaction(sequelize, (transaction) => work(UnitOfWork.wrap(transaction)));
}

/** The transaction behind a unit, for a repository's query options (undefined outside a unit). */
export function transactionOf(unit: UnitOfWork | undefined): Transaction | undefined {
  return unit ? transactions.get(unit) : undefined;
}
