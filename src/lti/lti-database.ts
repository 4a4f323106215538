import LtijsSequelizeDatabase from 'ltijs-sequelize';
import type { DatabaseTarget } from '../db/database.js';
import { withSqliteTuning } from '../db/sequelize.js';
import type { NonceRepository } from './nonce.repository.js';

export const NONCE_ALREADY_RECEIVED = 'NONCE_ALREADY_RECEIVED';

/**
 * ltijs's official SQL storage plugin, with nonces routed to examgate's own table.
 * ltijs asks `Get('nonce')` then `Insert('nonce')`; we answer "unseen" to the first and make
 * the second an atomic insert that fails for a used nonce, so a replay is refused for as
 * long as the token could be accepted, and two processes can never both accept it.
 */
export class ExamgateLtiDatabase extends LtijsSequelizeDatabase {
  constructor(
    target: DatabaseTarget,
    private readonly nonces: NonceRepository,
    private readonly nonceLifetimeMs: number,
  ) {
    super(target.database, target.username, target.password, withSqliteTuning(target.options));
  }

  override async Get(encryptionKey: string | false, table: string, info?: Record<string, unknown>) {
    if (table === 'nonce') {
      return false;
    }
    return super.Get(encryptionKey, table, info);
  }

  override async Insert(encryptionKey: string | false, table: string, item: Record<string, unknown>, index?: Record<string, unknown>) {
    if (table === 'nonce') {
      const nonce = typeof item.nonce === 'string' ? item.nonce : '';
      if (!nonce) {
        throw new Error('NO_NONCE_CLAIM');
      }
      if (!(await this.nonces.remember(nonce, new Date(Date.now() + this.nonceLifetimeMs)))) {
        throw new Error(NONCE_ALREADY_RECEIVED);
      }
      return true;
    }
    return super.Insert(encryptionKey, table, item, index);
  }
}
