import { UniqueConstraintError } from 'sequelize';

/** True when a write broke a unique constraint (a race another writer won), so services need not know Sequelize. */
export function isUniqueViolation(err: unknown): boolean {
  return err instanceof UniqueConstraintError;
}
